# Regenerate with: /usr/bin/python3 gen_fixtures2.py  (scikit-learn 1.2.1)
# Fixtures for the rank statistics (RobustScaler, QuantileTransformer, the
# median and most_frequent imputers) and the L1 / elastic-net solvers.
import json
import numpy as np
from sklearn.preprocessing import RobustScaler, QuantileTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.datasets import make_classification

out = {}
rs = np.random.RandomState(11)
X = rs.randn(157, 4) * [1, 10, 0.1, 1000]
X[:, 3] = np.round(X[:, 3] / 300)  # ties
X[rs.rand(157, 4) < 0.1] = np.nan
out["rank_X"] = [[None if np.isnan(v) else v for v in r] for r in X.tolist()]
for name, kw in [("rk_rob", {}), ("rk_rob_q", {"quantile_range": (10.0, 90.0), "unit_variance": True})]:
    m = RobustScaler(**kw).fit(X)
    out[name + "_center"], out[name + "_scale"] = m.center_.tolist(), m.scale_.tolist()
for dist in ("uniform", "normal"):
    m = QuantileTransformer(n_quantiles=50, output_distribution=dist).fit(X)
    out["qt_" + dist + "_quantiles"] = m.quantiles_.T.tolist()
    Z = m.transform(X)
    out["qt_" + dist + "_Z"] = [[None if np.isnan(v) else v for v in r] for r in Z.tolist()]
    B = m.inverse_transform(Z)
    out["qt_" + dist + "_back"] = [[None if np.isnan(v) else v for v in r] for r in B.tolist()]
D = np.round(X * 2) / 2
D[:, 1] = np.round(D[:, 1] / 5)
D[:, 2] = np.round(D[:, 2] * 10)
out["mode_X"] = [[None if np.isnan(v) else v for v in r] for r in D.tolist()]
out["imp_median"] = SimpleImputer(strategy="median").fit(X).statistics_.tolist()
out["imp_mode"] = SimpleImputer(strategy="most_frequent").fit(D).statistics_.tolist()

X, y = make_classification(n_samples=300, n_features=5, n_informative=3, random_state=0)
X3, y3 = make_classification(n_samples=300, n_features=6, n_informative=4, n_classes=3, random_state=1)
m = LogisticRegression(C=0.05, penalty="l1", solver="saga", tol=1e-12, max_iter=200000).fit(X3, y3)
out["mul_l1_coef"], out["mul_l1_icpt"] = m.coef_.tolist(), m.intercept_.tolist()
m = LogisticRegression(C=0.05, penalty="elasticnet", l1_ratio=0.3, solver="saga", tol=1e-12, max_iter=200000).fit(X3, y3)
out["mul_en_coef"], out["mul_en_icpt"] = m.coef_.tolist(), m.intercept_.tolist()
json.dump(out, open("sklearn_fixtures2.json", "w"))
