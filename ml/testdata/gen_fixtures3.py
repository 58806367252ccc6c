# Regenerate with: /usr/bin/python3 gen_fixtures3.py  (scikit-learn 1.2.1)
# StratifiedKFold's test folds on an imbalanced three-class y.
import json
import numpy as np
from sklearn.model_selection import StratifiedKFold, GridSearchCV
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

rs = np.random.RandomState(21)
y = rs.choice([3, -1, 7], size=103, p=[0.6, 0.3, 0.1]).astype(int)
out = {"skf_y": y.astype(float).tolist()}
fold = np.zeros(len(y), dtype=int)
for i, (_, test) in enumerate(StratifiedKFold(4).split(np.zeros((len(y), 1)), y)):
    fold[test] = i
out["skf_fold"] = fold.tolist()
X = np.array(json.load(open("sklearn_fixtures.json"))["bin_X"])
yb = np.array(json.load(open("sklearn_fixtures.json"))["bin_y"])
g = GridSearchCV(make_pipeline(StandardScaler(), LogisticRegression(tol=1e-10, max_iter=10000)),
                 {"logisticregression__C": [0.01, 0.1, 1.0, 10.0]}, cv=StratifiedKFold(3)).fit(X, yb)
out["skf_gs_mean"], out["skf_gs_std"] = g.cv_results_["mean_test_score"].tolist(), g.cv_results_["std_test_score"].tolist()
json.dump(out, open("sklearn_fixtures3.json", "w"))
