"""A report as PDF, drawn by WeasyPrint from the report's print layout (the same HTML, A4
landscape, page numbers): no browser. Chinese needs a CJK font on the machine
(scripts/system-deps.sh installs one); without it WeasyPrint would draw empty boxes, so the
writer refuses and says which font to install."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from keepwise._core.errors import ConfigError
from keepwise._core.i18n import register
from keepwise.reports.document import Document
from keepwise.reports.html import render_html

register(
    {
        "report.pdf.no_weasyprint": {
            "zh": "无法生成 PDF：WeasyPrint 不可用（{error}）。请安装 Keepwise 的依赖及系统库 "
            "pango（scripts/system-deps.sh）",
            "en": "Cannot write the PDF: WeasyPrint is unavailable ({error}). Install "
            "Keepwise's dependencies and the pango system library (scripts/system-deps.sh)",
        },
        "report.pdf.no_cjk_font": {
            "zh": "无法生成中文 PDF：系统没有中文字体。请安装 fonts-noto-cjk 或 "
            "fonts-wqy-microhei（scripts/system-deps.sh）",
            "en": "Cannot write a PDF with Chinese text: no CJK font is installed. Install "
            "fonts-noto-cjk or fonts-wqy-microhei (scripts/system-deps.sh)",
        },
    }
)

_CJK = re.compile("[\u2e80-\u9fff\uf900-\ufaff]")


def has_cjk_font() -> bool:
    """Whether fontconfig knows a font with Chinese glyphs (what WeasyPrint will use)."""
    import shutil
    import subprocess

    if shutil.which("fc-list") is None:
        return True  # no fontconfig tool to ask: let WeasyPrint try
    done = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True,
                          check=False)  # fmt: skip
    return bool(done.stdout.strip())


def _weasyprint() -> Any:
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: pango missing
        raise ConfigError("report.pdf.no_weasyprint", error=str(exc).splitlines()[0]) from None
    return weasyprint


def write_pdf(doc: Document, path: Path) -> None:
    weasyprint = _weasyprint()
    html = render_html(doc, pdf=True)
    if _CJK.search(html) and not has_cjk_font():
        raise ConfigError("report.pdf.no_cjk_font")
    weasyprint.HTML(string=html).write_pdf(str(path))
