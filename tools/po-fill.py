#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fills empty msgstr entries of a .po file from a JSON table of translations.

Usage: tools/po-fill.py po/zh_CN.po TABLE.json
The table maps msgid (or "msgctxt\\u0004msgid") to the translation. Entries that
already have a translation are left alone; fuzzy entries are not touched. Prints
the msgids it could not fill. Kept so translators can batch-fill new strings; CI
does not use it."""
import json
import sys

def unquote(lines):
    return ''.join(json.loads(l) for l in lines)

def quote(s):
    return json.dumps(s, ensure_ascii=False)

def main(po_path, table_path):
    table = json.load(open(table_path, encoding='utf-8'))
    out, missing = [], []
    lines = open(po_path, encoding='utf-8').read().split('\n')
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith('msgctxt ') or line.startswith('msgid '):
            block = []
            ctx = None
            fuzzy = any('fuzzy' in l for l in out[-4:] if l.startswith('#,'))
            if line.startswith('msgctxt '):
                parts = [line[8:]]
                block.append(line); i += 1
                while lines[i].startswith('"'):
                    parts.append(lines[i]); block.append(lines[i]); i += 1
                ctx = unquote(parts)
            parts = [lines[i][6:]]
            block.append(lines[i]); i += 1
            while lines[i].startswith('"'):
                parts.append(lines[i]); block.append(lines[i]); i += 1
            msgid = unquote(parts)
            assert lines[i].startswith('msgstr '), lines[i]
            sparts = [lines[i][7:]]
            j = i + 1
            while j < len(lines) and lines[j].startswith('"'):
                sparts.append(lines[j]); j += 1
            msgstr = unquote(sparts)
            key = msgid if ctx is None else ctx + '\u0004' + msgid
            out.extend(block)
            if msgid and not msgstr and not fuzzy:
                if key in table:
                    out.append('msgstr ' + quote(table[key]))
                    i = j
                    continue
                missing.append(key)
            out.extend(lines[i:j])
            i = j
            continue
        out.append(line)
        i += 1
    open(po_path, 'w', encoding='utf-8').write('\n'.join(out))
    for m in missing:
        print('untranslated: ' + m.replace('\u0004', ' | '))
    return 0

if __name__ == '__main__':
    sys.exit(main(sys.argv[1], sys.argv[2]))
