#!/usr/bin/env python3
"""Generates www/picker/rare-chars.json, the data of the 生僻字 picker (www/picker/picker.js).

    scripts/gen-rare-chars.py [--unihan /usr/share/unicode/Unihan_Readings.txt.bz2] [--out www/picker/rare-chars.json]
    scripts/gen-rare-chars.py --check      exit 1 when the committed file differs from what the data gives

Source: Unihan's kMandarin readings from Debian's `unicode-data` package (scripts/setup.sh installs it).
Subset: the characters a Chinese IME may not offer — CJK Unified Ideographs Extension A (U+3400–U+4DBF) and
Extension B (U+20000–U+2A6DF), and the URO (U+4E00–U+9FFF) characters outside GB 2312 (GB 2312's 6 763 hanzi are
typed with any IME) — that have a kMandarin reading.

Output (one JSON object, a line per key, UTF-8):
  {"schema": "ecert.rare-chars/1", "source": …, "count": N, "keys": {"yan": "䶮3㫟3…", …}}
Each key is a toneless pinyin syllable (ü written v); its value is a run of entries, each one character followed by
its tone digit (1–4, 5 = neutral) for that reading. A character with several readings is under each of them.
Order within a key: characters of 通用规范汉字表 (Unihan kTGHZ2013) first — it lists the rare characters of
personal and place names, like 䶮 — then URO, Ext A, Ext B, each by code point. The picker rebuilds the toned
reading (yǎn) from key and digit; the generator checks that the rebuild gives back every kMandarin value.
"""
import argparse
import bz2
import json
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_UNIHAN = Path('/usr/share/unicode/Unihan_Readings.txt.bz2')
DEFAULT_OUT = ROOT / 'www/picker/rare-chars.json'

TONE_MARKS = {'\u0304': 1, '\u0301': 2, '\u030c': 3, '\u0300': 4}
MARK_OF = {1: '\u0304', 2: '\u0301', 3: '\u030c', 4: '\u0300'}


def block(cp):
    if 0x3400 <= cp <= 0x4DBF:
        return 1  # Extension A
    if 0x20000 <= cp <= 0x2A6DF:
        return 2  # Extension B
    if 0x4E00 <= cp <= 0x9FFF:
        return 0  # URO
    return None


def in_gb2312(cp):
    try:
        chr(cp).encode('gb2312')
        return True
    except UnicodeEncodeError:
        return False


def split_reading(toned):
    """'yǎn' → ('yan', 3); 'lǜ' → ('lv', 4); 'ma' → ('ma', 5)."""
    tone = 5
    out = []
    for ch in unicodedata.normalize('NFD', toned.strip().lower()):
        if ch in TONE_MARKS:
            tone = TONE_MARKS[ch]
        elif ch == '\u0308':  # the diaeresis of ü
            if out and out[-1] == 'u':
                out[-1] = 'v'
            else:
                raise ValueError(f'diaeresis not on u in {toned!r}')
        elif ch == '\u0302':  # ê: keep the e (ê readings are interjections, none in this subset's keys)
            continue
        elif 'a' <= ch <= 'z':
            out.append(ch)
        else:
            raise ValueError(f'unexpected {ch!r} in {toned!r}')
    return ''.join(out), tone


def toned(key, tone):
    """The picker's rule (www/picker/picker.js toned()): the mark goes on a or e, on the o of ou, else on the last
    vowel (i, o, u, ü); a syllable without a vowel (m, n, ng) takes it on its first letter."""
    s = key.replace('v', 'ü')
    if tone == 5:
        return s
    if 'a' in s:
        i = s.index('a')
    elif 'e' in s:
        i = s.index('e')
    elif 'ou' in s:
        i = s.index('o')
    else:
        vowels = [j for j, c in enumerate(s) if c in 'iouü']
        i = vowels[-1] if vowels else 0
    return unicodedata.normalize('NFC', s[:i + 1] + MARK_OF[tone] + s[i + 1:])


def read_unihan(path):
    fields = {}
    with bz2.open(path, 'rt', encoding='utf-8') as f:
        for line in f:
            if line.startswith('#') or not line.strip():
                continue
            code, key, value = line.rstrip('\n').split('\t', 2)
            if key in ('kMandarin', 'kTGHZ2013'):
                fields.setdefault(int(code[2:], 16), {})[key] = value
    return fields


def version_of(path):
    # Debian's package version, when dpkg knows it (the file's header names no version).
    try:
        import subprocess
        v = subprocess.run(['dpkg-query', '-W', '-f=${Version}', 'unicode-data'], capture_output=True, text=True, check=True).stdout.strip()
        return f'Debian unicode-data {v}' if v else 'Unihan'
    except Exception:
        return 'Unihan'


def generate(path):
    fields = read_unihan(path)
    entries = {}  # key → [(sort, char, tone)]
    chars = 0
    for cp in sorted(fields):
        f = fields[cp]
        b = block(cp)
        if b is None or 'kMandarin' not in f:
            continue
        if b == 0 and in_gb2312(cp):
            continue
        chars += 1
        tghz = 0 if 'kTGHZ2013' in f else 1
        seen = set()
        for reading in f['kMandarin'].split():
            key, tone = split_reading(reading)
            if unicodedata.normalize('NFC', reading) != toned(key, tone):
                raise SystemExit(f'U+{cp:04X}: the picker would show {toned(key, tone)!r} for {reading!r}')
            if (key, tone) in seen:
                continue
            seen.add((key, tone))
            entries.setdefault(key, []).append(((tghz, b, cp), chr(cp), tone))
    keys = {k: ''.join(f'{c}{t}' for _, c, t in sorted(v)) for k, v in sorted(entries.items())}
    head = {
        'schema': 'ecert.rare-chars/1',
        'source': f'Unihan kMandarin ({version_of(path)}); CJK Ext A + Ext B + URO outside GB 2312',
        'count': chars,
    }
    lines = ['{' + ', '.join(f'{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}' for k, v in head.items()) + ', "keys": {']
    items = list(keys.items())
    for i, (k, v) in enumerate(items):
        lines.append(f'{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}' + (',' if i + 1 < len(items) else ''))
    lines.append('}}')
    return '\n'.join(lines) + '\n'


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--unihan', type=Path, default=DEFAULT_UNIHAN)
    ap.add_argument('--out', type=Path, default=DEFAULT_OUT)
    ap.add_argument('--check', action='store_true', help='compare with --out instead of writing it')
    a = ap.parse_args()
    if not a.unihan.exists():
        print(f'{a.unihan} not found: install Debian unicode-data (scripts/setup.sh)', file=sys.stderr)
        return 2
    text = generate(a.unihan)
    if a.check:
        same = a.out.exists() and a.out.read_text(encoding='utf-8') == text
        print(f'{a.out}: {"matches" if same else "DIFFERS from"} the generator')
        return 0 if same else 1
    a.out.write_text(text, encoding='utf-8')
    data = text.encode('utf-8')
    import gzip
    print(f'{a.out}: {json.loads(text)["count"]} characters, {len(data)} bytes, gzip {len(gzip.compress(data, 9, mtime=0))} bytes')
    return 0


if __name__ == '__main__':
    sys.exit(main())
