"""Probabilistic customer-value models ("buy till you die"), pure NumPy/SciPy.

* :class:`BGNBD` and :class:`ParetoNBD`: repeat purchasing in continuous time;
* :class:`BGBB`: repeat purchasing at discrete opportunities;
* :class:`GammaGamma`: spend per transaction, and customer lifetime value;
* :func:`clv_interval`: an interval for each predicted CLV from the parameters' uncertainty.

All share :class:`ProbabilisticModel` (scikit-learn estimator conventions, maximum likelihood
on log-parameters with analytic gradients, standard errors, :class:`ConvergenceError`).
"""

from keepwise.models.clv._base import ConvergenceError, ProbabilisticModel
from keepwise.models.clv.bgbb import BGBB
from keepwise.models.clv.bgnbd import BGNBD
from keepwise.models.clv.diagnostics import calibration_holdout_table
from keepwise.models.clv.gamma_gamma import GammaGamma, TransactionModel
from keepwise.models.clv.pareto_nbd import ParetoNBD
from keepwise.models.clv.uncertainty import clv_interval

__all__ = [
    "BGBB",
    "BGNBD",
    "ConvergenceError",
    "GammaGamma",
    "ParetoNBD",
    "ProbabilisticModel",
    "TransactionModel",
    "calibration_holdout_table",
    "clv_interval",
]
