"""The public survey page (no login) in the customer's language: the form, and the pages for
a link that is answered, expired, already used or not valid. Everything shown is escaped."""

from __future__ import annotations

from functools import cache
from typing import Any

from keepwise._core.i18n import Lang, register, t

register(
    {
        "survey.page.title": {"zh": "{company} 邀请您评价我们的服务", "en": "{company} would like your opinion"},
        "survey.page.csat": {"zh": "您对我们的产品和服务满意吗？（1 = 很不满意，5 = 非常满意）",
                             "en": "How satisfied are you with our products and service? "
                                   "(1 = very dissatisfied, 5 = very satisfied)"},
        "survey.page.recommend": {"zh": "您有多大可能向朋友或同事推荐我们？（0 = 完全不可能，10 = 非常可能）",
                                  "en": "How likely are you to recommend us to a friend or "
                                        "colleague? (0 = not at all, 10 = extremely likely)"},
        "survey.page.reason": {"zh": "如有不满意，主要原因是：", "en": "If you are dissatisfied, the main reason is:"},
        "survey.page.no_reason": {"zh": "（无）", "en": "(none)"},
        "survey.page.leaving": {"zh": "我们正在考虑不再合作", "en": "We are thinking of leaving"},
        "survey.page.comment": {"zh": "还有什么想告诉我们的？", "en": "Anything else you would like to tell us?"},
        "survey.page.submit": {"zh": "提交", "en": "Send"},
        "survey.page.thanks": {"zh": "感谢您的反馈！", "en": "Thank you for your feedback!"},
        "survey.page.thanks_text": {"zh": "您的回答已收到，负责您的同事会认真阅读。",
                                    "en": "We have your answer; the colleague who looks after you will read it."},
        "survey.page.invalid": {"zh": "链接无效", "en": "This link is not valid"},
        "survey.page.invalid_text": {"zh": "这个问卷链接不完整或已被修改，无法使用。请使用您收到的原始链接。",
                                     "en": "This survey link is incomplete or has been altered. "
                                           "Please use the link exactly as you received it."},
        "survey.page.expired": {"zh": "链接已过期", "en": "This link has expired"},
        "survey.page.expired_text": {"zh": "这个问卷链接已过有效期，回答未被保存。如仍愿意反馈，请联系您的客户经理。",
                                     "en": "This survey link is past its date and nothing was "
                                           "saved. If you would still like to tell us, please "
                                           "contact your account manager."},
        "survey.page.used": {"zh": "问卷已提交", "en": "This survey has been answered"},
        "survey.page.used_text": {"zh": "这个链接的问卷已经提交过，每个链接只能提交一次；本次内容未被保存。",
                                  "en": "This link has been used already; each link can be "
                                        "answered once, and nothing new was saved."},
    }
)  # fmt: skip

_PAGE = """<!DOCTYPE html>
<html lang="{{ 'zh-CN' if lang == 'zh' else 'en' }}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{{ title }}</title>
<style>
body { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", Arial, sans-serif;
  max-width: 40rem; margin: 2rem auto; padding: 0 1rem; color: #1a202c; line-height: 1.5; }
fieldset { border: 0; padding: 0; margin: 0 0 1.2rem; }
legend { font-weight: bold; margin-bottom: .4rem; }
.scale label { display: inline-block; margin: 0 .5rem .3rem 0; }
textarea, select { width: 100%; font: inherit; }
button { font: inherit; padding: .4rem 1.4rem; }
.error { color: #c53030; font-weight: bold; }
</style></head><body>
<h1>{{ title }}</h1>
{% if form %}
{% if error %}<p class="error">{{ error }}</p>{% endif %}
<form method="post">
<fieldset class="scale"><legend>{{ t('survey.page.csat') }}</legend>
{% for i in range(1, 6) %}<label><input type="radio" name="csat" value="{{ i }}"> {{ i }}</label>{% endfor %}
</fieldset>
<fieldset class="scale"><legend>{{ t('survey.page.recommend') }}</legend>
{% for i in range(0, 11) %}<label><input type="radio" name="recommend" value="{{ i }}"> {{ i }}</label>{% endfor %}
</fieldset>
<fieldset><legend>{{ t('survey.page.reason') }}</legend>
<select name="reason"><option value="">{{ t('survey.page.no_reason') }}</option>
{% for code, label in reasons %}<option value="{{ code }}">{{ label }}</option>{% endfor %}
</select></fieldset>
<fieldset><label><input type="checkbox" name="leaving" value="yes"> {{ t('survey.page.leaving') }}</label></fieldset>
<fieldset><legend>{{ t('survey.page.comment') }}</legend>
<textarea name="comment" rows="4" maxlength="2000"></textarea></fieldset>
<button type="submit">{{ t('survey.page.submit') }}</button>
</form>
{% else %}
<p>{{ text }}</p>
{% endif %}
</body></html>
"""


@cache
def _template() -> Any:
    from jinja2 import Environment

    return Environment(autoescape=True).from_string(_PAGE)


def form_page(lang: Lang, company: str, reasons: list[tuple[str, str]],
              error: str | None = None) -> str:  # fmt: skip
    """The survey form; ``reasons``: (code, label) of the reason taxonomy."""
    return str(_template().render(lang=lang, form=True, reasons=reasons, error=error,
                                  title=t("survey.page.title", lang, company=company),
                                  t=lambda key: t(key, lang)))  # fmt: skip


def state_page(lang: Lang, which: str) -> str:
    """The page after an answer (``thanks``) or for an ``invalid``, ``expired`` or ``used``
    link."""
    return str(_template().render(lang=lang, form=False, title=t(f"survey.page.{which}", lang),
                                  text=t(f"survey.page.{which}_text", lang)))  # fmt: skip
