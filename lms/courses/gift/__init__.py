"""GIFT interchange: Moodle's question-bank format to and from this project's quiz syntax.

Pure code (no Flask, no database), so `lms courses import-gift` / `export-gift` and the
tests use it on its own. `parse` reads GIFT into the engine's `Draft` questions, `markdown`
writes drafts as a `quiz.md`, `write` turns a `quiz.md` into GIFT. DESIGN.md, "GIFT
interchange", is the contract; docs/gift.md says what is kept and what is not.
"""

from lms.courses.gift.markdown import gift_to_quiz, quiz_markdown
from lms.courses.gift.parse import GiftImport, parse_gift
from lms.courses.gift.write import quiz_to_gift

__all__ = ["GiftImport", "gift_to_quiz", "parse_gift", "quiz_markdown", "quiz_to_gift"]
