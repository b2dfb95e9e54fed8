"""Decoding a plan file's bytes: UTF-8, GB18030 or Big5, told apart before decoding.

GB18030 decodes almost any byte string, so a Big5 file (Traditional Chinese) or a UTF-16 file
without byte-order mark would be read as garbage if GB18030 were simply tried second. After
UTF-8 fails, charset-normalizer chooses among GB18030, Big5 and UTF-16 (little/big endian);
Big5 is decoded as such, UTF-16 (with or without BOM) and UTF-32 are refused with the advice
to save the file as UTF-8. Messages are Chinese first, then English, one line.
"""
from __future__ import annotations

import codecs
import re

from core.errors import CorpusError

CANDIDATES = ("gb18030", "big5", "utf_16_le", "utf_16_be")
_SAMPLE = 20000


def _utf16_advice(name: str, kind: str = "UTF-16") -> CorpusError:
    return CorpusError(f"{name}: 文件是 {kind} 编码，请另存为 UTF-8 后再添加 "
                       f"({kind}: save as UTF-8, e.g. iconv -f {kind} -t UTF-8)")


def _looks_utf16(data: bytes) -> bool:
    """UTF-16 without BOM: NUL bytes on one side of most ASCII characters, and the text
    decodes (either byte order) into mostly printable characters."""
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            text = data[: _SAMPLE * 2].decode(enc)
        except UnicodeDecodeError:
            continue
        printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
        if text and printable / len(text) > 0.95:
            return True
    return False


def _check_text(text: str, name: str) -> None:
    sample = text[:_SAMPLE]
    ctrl = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t\f\v")
    if ctrl > max(3, len(sample) // 200):
        raise CorpusError(f"{name}: 看起来是二进制文件，不是文本规划 "
                          "(looks binary (control characters), not a text plan)")
    if not re.search(r"[\u4e00-\u9fff]", text):
        raise CorpusError(f"{name}: 文件中没有中文 (contains no Chinese text; "
                          "PlanGraph expects a Chinese plan)")


def _detect(data: bytes) -> str:
    """The most plausible of CANDIDATES for non-UTF-8 bytes ('' when none decodes)."""
    from charset_normalizer import from_bytes
    best = from_bytes(data, cp_isolation=list(CANDIDATES)).best()
    return codecs.lookup(best.encoding).name if best is not None else ""


def decode_bytes(data: bytes, name: str = "file") -> tuple[str, str]:
    """(text, encoding) of a plan's bytes; CorpusError (one line) for empty, binary, UTF-16/32
    and undecodable data or text without Chinese."""
    if not data.strip():
        raise CorpusError(f"{name}: 文件是空的 (file is empty)")
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise _utf16_advice(name, "UTF-32")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _utf16_advice(name)
    if b"\x00" in data[:65536]:
        if _looks_utf16(data):
            raise _utf16_advice(name)
        raise CorpusError(f"{name}: 看起来是二进制文件，不是文本规划 "
                          "(looks binary (contains NUL bytes), not a text plan)")
    try:
        text, enc = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        enc = _detect(data) or "gb18030"
        if enc.startswith("utf-16"):
            raise _utf16_advice(name) from None
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            raise CorpusError(f"{name}: 无法识别的文字编码 (not valid UTF-8, GB18030 or Big5 "
                              "text)") from None
    _check_text(text, name)
    return text, enc
