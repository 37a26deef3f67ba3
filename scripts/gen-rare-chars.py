#!/usr/bin/env python3
"""Generates www/picker/rare-chars.json, the data of the 生僻字 picker (www/picker/picker.js).

    scripts/gen-rare-chars.py [--unihan /usr/share/unicode/Unihan_Readings.txt.bz2] [--out www/picker/rare-chars.json]
    scripts/gen-rare-chars.py --check      exit 1 when a committed file differs from what the data gives

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

Second file, www/picker/rare-radicals.json (fetched by the picker only when a query is a radical, 亻6): every
character of the subset above plus the Ext A and Ext B characters with no kMandarin (such as 𠈌 U+2020C), by radical
and residual strokes — Unihan kRSUnicode's first value (Unihan_IRGSources.txt.bz2; radical 1–214, ' for the
simplified form, e.g. 120' 纟):
  {"schema": "ecert.rare-radicals/1", "source": …, "count": N, "radicals": {"1": "一", …, "120'": "纟", …},
   "rs": {"9": "6:𠈌…;7:…", …}}
"radicals" is CJKRadicals.txt (each radical's CJK unified ideograph); each "rs" value is a radical's runs, residual
strokes (-1 for a few, 巛.-1), a colon, the characters (same order as above), runs separated by ';', by strokes.
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
RADICALS_NAME = 'rare-radicals.json'

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


def read_rs(path):
    """kRSUnicode's first value: cp → (radical key '9' / "120'", residual strokes)."""
    rs = {}
    with bz2.open(path, 'rt', encoding='utf-8') as f:
        for line in f:
            if '\tkRSUnicode\t' not in line:
                continue
            code, _, value = line.rstrip('\n').split('\t', 2)
            rad, strokes = value.split()[0].split('.')
            rs[int(code[2:], 16)] = (rad, int(strokes))
    return rs


def read_radicals(path):
    out = {}
    for line in path.read_text(encoding='utf-8').splitlines():
        if line.startswith('#') or not line.strip():
            continue
        num, _, unified = [x.strip() for x in line.split(';')]
        out[num] = chr(int(unified, 16))
    return out


def radical_sort(k):
    return (int(k.rstrip("'")), k.endswith("'"))


def version_of(path):
    # Debian's package version, when dpkg knows it (the file's header names no version).
    try:
        import subprocess
        v = subprocess.run(['dpkg-query', '-W', '-f=${Version}', 'unicode-data'], capture_output=True, text=True, check=True).stdout.strip()
        return f'Debian unicode-data {v}' if v else 'Unihan'
    except Exception:
        return 'Unihan'


def generate(path, irg_path, radicals_path):
    fields = read_unihan(path)
    rs = read_rs(irg_path)
    radicals = read_radicals(radicals_path)
    entries = {}  # key → [(sort, char, tone)]
    by_rs = {}  # radical → strokes → [(sort, char)]
    chars = 0
    rs_chars = 0
    for cp in sorted(set(fields) | {c for c in rs if block(c) in (1, 2)}):
        f = fields.get(cp, {})
        b = block(cp)
        if b is None:
            continue
        if b == 0 and ('kMandarin' not in f or in_gb2312(cp)):
            continue
        tghz = 0 if 'kTGHZ2013' in f else 1
        if cp not in rs:
            raise SystemExit(f'U+{cp:04X}: no kRSUnicode')
        rad, strokes = rs[cp]
        if rad not in radicals:
            raise SystemExit(f'U+{cp:04X}: radical {rad} not in CJKRadicals.txt')
        by_rs.setdefault(rad, {}).setdefault(strokes, []).append(((tghz, b, cp), chr(cp)))
        rs_chars += 1
        if 'kMandarin' not in f:
            continue
        chars += 1
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
    rad_head = {
        'schema': 'ecert.rare-radicals/1',
        'source': f'Unihan kRSUnicode, CJKRadicals.txt ({version_of(path)}); the characters of rare-chars.json + CJK Ext A and Ext B without kMandarin',
        'count': rs_chars,
    }
    rlines = ['{' + ', '.join(f'{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}' for k, v in rad_head.items()) + ',']
    rlines.append('"radicals": ' + json.dumps({k: radicals[k] for k in sorted(radicals, key=radical_sort)}, ensure_ascii=False, separators=(',', ':')) + ',')
    rlines.append('"rs": {')
    rads = sorted(by_rs, key=radical_sort)
    for i, rad in enumerate(rads):
        runs = ';'.join(f'{n}:' + ''.join(c for _, c in sorted(v)) for n, v in sorted(by_rs[rad].items()))
        rlines.append(f'{json.dumps(rad)}: {json.dumps(runs, ensure_ascii=False)}' + (',' if i + 1 < len(rads) else ''))
    rlines.append('}}')
    return '\n'.join(lines) + '\n', '\n'.join(rlines) + '\n'


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--unihan', type=Path, default=DEFAULT_UNIHAN)
    ap.add_argument('--irg', type=Path, default=DEFAULT_UNIHAN.with_name('Unihan_IRGSources.txt.bz2'))
    ap.add_argument('--radicals', type=Path, default=DEFAULT_UNIHAN.with_name('CJKRadicals.txt'))
    ap.add_argument('--out', type=Path, default=DEFAULT_OUT, help=f'rare-chars.json; {RADICALS_NAME} goes beside it')
    ap.add_argument('--check', action='store_true', help='compare with --out instead of writing it')
    a = ap.parse_args()
    for p in (a.unihan, a.irg, a.radicals):
        if not p.exists():
            print(f'{p} not found: install Debian unicode-data (scripts/setup.sh)', file=sys.stderr)
            return 2
    outs = zip((a.out, a.out.with_name(RADICALS_NAME)), generate(a.unihan, a.irg, a.radicals))
    if a.check:
        bad = 0
        for out, text in outs:
            same = out.exists() and out.read_text(encoding='utf-8') == text
            print(f'{out}: {"matches" if same else "DIFFERS from"} the generator')
            bad += not same
        return 1 if bad else 0
    import gzip
    for out, text in outs:
        out.write_text(text, encoding='utf-8')
        data = text.encode('utf-8')
        print(f'{out}: {json.loads(text)["count"]} characters, {len(data)} bytes, gzip {len(gzip.compress(data, 9, mtime=0))} bytes')
    return 0


if __name__ == '__main__':
    sys.exit(main())
