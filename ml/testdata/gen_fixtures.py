# Regenerate with: /usr/bin/python3 gen_fixtures.py  (scikit-learn 1.2.1)
# Small problems and scikit-learn's fitted values, for ml's tests.
import json
import numpy as np
from sklearn.datasets import make_classification, make_regression, make_blobs
from sklearn.linear_model import LogisticRegression, LinearRegression, PoissonRegressor
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler, MinMaxScaler, RobustScaler

out = {}
X, y = make_classification(n_samples=300, n_features=5, n_informative=3, random_state=0)
out["bin_X"], out["bin_y"] = X.tolist(), y.tolist()
for C in (0.5, 10.0):
    m = LogisticRegression(C=C, tol=1e-10, max_iter=10000).fit(X, y)
    out[f"bin_C{C}_coef"], out[f"bin_C{C}_icpt"] = m.coef_.tolist(), m.intercept_.tolist()
    out[f"bin_C{C}_proba"] = m.predict_proba(X[:10]).tolist()
m = LogisticRegression(C=0.1, penalty="l1", solver="saga", tol=1e-12, max_iter=200000).fit(X, y)
out["bin_l1_coef"], out["bin_l1_icpt"] = m.coef_.tolist(), m.intercept_.tolist()
m = LogisticRegression(C=0.1, penalty="elasticnet", l1_ratio=0.5, solver="saga", tol=1e-12, max_iter=200000).fit(X, y)
out["bin_en_coef"], out["bin_en_icpt"] = m.coef_.tolist(), m.intercept_.tolist()

X, y = make_classification(n_samples=300, n_features=6, n_informative=4, n_classes=3, random_state=1)
out["mul_X"], out["mul_y"] = X.tolist(), y.tolist()
m = LogisticRegression(C=1.0, tol=1e-10, max_iter=10000).fit(X, y)
out["mul_coef"], out["mul_icpt"] = m.coef_.tolist(), m.intercept_.tolist()

X, y = make_regression(n_samples=200, n_features=4, noise=3.0, random_state=2)
out["reg_X"], out["reg_y"] = X.tolist(), y.tolist()
m = LinearRegression().fit(X, y)
out["reg_coef"], out["reg_icpt"] = m.coef_.tolist(), float(m.intercept_)
yp = np.exp(X @ np.array([0.3, -0.2, 0.1, 0.0]) / 100 * 1 + 0.5)
yc = np.random.RandomState(0).poisson(np.exp(X @ np.array([0.3, -0.2, 0.1, 0.0]) + 0.5)).astype(float)
out["pois_y"] = yc.tolist()
m = PoissonRegressor(alpha=0.01, tol=1e-12, max_iter=10000).fit(X, yc)
out["pois_coef"], out["pois_icpt"] = m.coef_.tolist(), float(m.intercept_)

X = np.random.RandomState(3).randn(150, 6) @ np.random.RandomState(4).randn(6, 6)
out["pca_X"] = X.tolist()
m = PCA(n_components=3, svd_solver="full").fit(X)
out["pca_evr"], out["pca_comp"] = m.explained_variance_ratio_.tolist(), m.components_.tolist()
out["pca_sv"] = m.singular_values_.tolist()
s = StandardScaler().fit(X)
out["std_mean"], out["std_scale"] = s.mean_.tolist(), s.scale_.tolist()
r = RobustScaler().fit(X)
out["rob_center"], out["rob_scale"] = r.center_.tolist(), r.scale_.tolist()
X, _ = make_blobs(n_samples=400, n_features=3, centers=4, cluster_std=1.5, random_state=5)
out["km_X"] = X.tolist()
from sklearn.cluster import KMeans
m = KMeans(n_clusters=4, n_init=10, random_state=0).fit(X)
out["km_inertia"] = float(m.inertia_)
from sklearn.linear_model import SGDClassifier, SGDRegressor
Xb, yb = np.array(out["bin_X"]), np.array(out["bin_y"])
for loss in ("log_loss", "hinge"):
    m = SGDClassifier(loss=loss, shuffle=False)
    m.partial_fit(Xb[:150], yb[:150], classes=[0, 1]); m.partial_fit(Xb[150:], yb[150:])
    out[f"sgd_{loss}_coef"], out[f"sgd_{loss}_icpt"] = m.coef_.tolist(), m.intercept_.tolist()
Xm, ym = np.array(out["mul_X"]), np.array(out["mul_y"])
m = SGDClassifier(loss="log_loss", shuffle=False)
m.partial_fit(Xm[:100], ym[:100], classes=[0, 1, 2]); m.partial_fit(Xm[100:], ym[100:])
out["sgd_mul_coef"], out["sgd_mul_icpt"] = m.coef_.tolist(), m.intercept_.tolist()
Xr, yr = np.array(out["reg_X"]), np.array(out["reg_y"])
m = SGDRegressor(shuffle=False)
m.partial_fit(Xr[:100], yr[:100]); m.partial_fit(Xr[100:], yr[100:])
out["sgdr_coef"], out["sgdr_icpt"] = m.coef_.tolist(), m.intercept_.tolist()
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
g = GridSearchCV(make_pipeline(StandardScaler(), LogisticRegression(tol=1e-10, max_iter=10000)),
                 {"logisticregression__C": [0.01, 0.1, 1.0, 10.0]}, cv=KFold(3)).fit(Xb, yb)
out["gs_mean"], out["gs_std"] = g.cv_results_["mean_test_score"].tolist(), g.cv_results_["std_test_score"].tolist()
json.dump(out, open("sklearn_fixtures.json", "w"))
