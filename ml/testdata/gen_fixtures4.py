# Regenerate with: /usr/bin/python3 gen_fixtures4.py  (scikit-learn 1.2.1)
# The metrics on random labels, predictions, probabilities and scores.
import json
import numpy as np
from sklearn import metrics as M

rs = np.random.RandomState(15)
n = 613
out = {}
# multiclass labels (with a label, 9, that the confusion matrix leaves out)
yt = rs.choice([2, -1, 5, 9], size=n, p=[0.4, 0.3, 0.25, 0.05]).astype(float)
yp = np.where(rs.rand(n) < 0.6, yt, rs.choice([2, -1, 5, 9], size=n)).astype(float)
out["m_yt"], out["m_yp"] = yt.tolist(), yp.tolist()
out["m_accuracy"] = M.accuracy_score(yt, yp)
labels = [5, -1, 2]
out["m_confusion"] = M.confusion_matrix(yt, yp, labels=labels).astype(float).tolist()
# binary, pos_label 5 against the rest
ytb, ypb = np.where(yt == 5, 5, 0), np.where(yp == 5, 5, 0)
out["m_prf"] = [M.precision_score(ytb, ypb, pos_label=5), M.recall_score(ytb, ypb, pos_label=5), M.f1_score(ytb, ypb, pos_label=5)]
# multinomial probabilities over the sorted classes [-1, 2, 5], some rows
# with exact zeros and ones (clipped), unnormalised rows
yl = rs.choice([5, -1, 2], size=n).astype(float)
pr = rs.dirichlet([1, 1, 1], size=n)
pr[:7] = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0.5, 0.5, 0], [1, 0, 0], [0, 0, 1], [0.2, 0.3, 0.5]]
pr[7:20] *= 3.0
out["m_yl"], out["m_proba"] = yl.tolist(), pr.tolist()
out["m_logloss"] = M.log_loss(yl, pr, labels=[-1, 2, 5])
# binary scores in [0, 1]: rounded to 3 decimals (ties across classes, each
# value its own histogram bin: exact), and unrounded
ya = rs.choice([0.0, 1.0], size=n)
s = np.clip(0.3 * ya + 0.7 * rs.rand(n), 0, 1)
sr = np.round(s, 3)
out["m_ya"], out["m_score"], out["m_score_r"] = ya.tolist(), s.tolist(), sr.tolist()
out["m_auc"], out["m_auc_r"] = M.roc_auc_score(ya, s), M.roc_auc_score(ya, sr)
out["m_auc_neg"] = M.roc_auc_score(1 - ya, 1 - s)  # pos label 0 with its own scores
# regression
t = rs.randn(n) * 3 + 1
q = t + rs.randn(n)
out["m_t"], out["m_q"] = t.tolist(), q.tolist()
out["m_r2"], out["m_mse"], out["m_mae"] = M.r2_score(t, q), M.mean_squared_error(t, q), M.mean_absolute_error(t, q)
out["m_r2_const"] = [M.r2_score(np.ones(5), np.ones(5)), M.r2_score(np.ones(5), np.arange(5.0))]
json.dump(out, open("sklearn_fixtures4.json", "w"))
# SGDClassifier(loss="modified_huber") partial_fit in two halves, as
# gen_fixtures.py does for log_loss and hinge
from sklearn.linear_model import SGDClassifier
f1 = json.load(open("sklearn_fixtures.json"))
Xb, yb = np.array(f1["bin_X"]), np.array(f1["bin_y"])
m = SGDClassifier(loss="modified_huber", shuffle=False)
m.partial_fit(Xb[:150], yb[:150], classes=[0, 1]); m.partial_fit(Xb[150:], yb[150:])
out["sgd_modified_huber_coef"], out["sgd_modified_huber_icpt"] = m.coef_.tolist(), m.intercept_.tolist()
# TruncatedSVD (no centring) of pca_X, exact (arpack)
from sklearn.decomposition import TruncatedSVD
ts = TruncatedSVD(n_components=3, algorithm="arpack", tol=0).fit(np.array(f1["pca_X"]))
out["tsvd_sv"], out["tsvd_evr"], out["tsvd_comp"] = ts.singular_values_.tolist(), ts.explained_variance_ratio_.tolist(), ts.components_.tolist()
json.dump(out, open("sklearn_fixtures4.json", "w"))
