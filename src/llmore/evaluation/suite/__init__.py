"""The general suite: five dimensions of generated, verifiable items to catch what fine-tuning made a model forget.

Reasoning, reading comprehension, Chinese, instruction following and creativity, all written by
this project (nothing copied from published benchmarks); local C-Eval / CMMLU / MMLU files; and
lm-evaluation-harness tasks when that package is installed. Pure Python: no database, no model.
"""

from llmore.evaluation.suite.creativity import creativity_score, distinct_n
from llmore.evaluation.suite.harness import lm_eval_available, run_lm_eval
from llmore.evaluation.suite.items import Dimension, SuiteItem
from llmore.evaluation.suite.multiple_choice import load_multiple_choice
from llmore.evaluation.suite.scoring import dimension_scores, score_details, score_item
from llmore.evaluation.suite.suite import general_suite

__all__ = [
    "Dimension", "SuiteItem", "creativity_score", "dimension_scores", "distinct_n", "general_suite",
    "lm_eval_available", "load_multiple_choice", "run_lm_eval", "score_details", "score_item",
]
