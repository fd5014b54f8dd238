#!/bin/sh
# Seeds fuzz/corpus/TARGET from the crates' own test data (conformance inputs, spec examples,
# vectors), so a short run starts from real documents instead of from nothing.
# Idempotent: files already in a corpus are kept. Usage: fuzz/seed.sh (from anywhere).
set -eu
cd "$(dirname "$0")"
C=../crates

add() { # add TARGET FILE... : copy files of at most 64 KiB into corpus/TARGET
    t=$1; shift
    mkdir -p "corpus/$t"
    for f in "$@"; do
        [ -f "$f" ] || continue
        [ "$(wc -c < "$f")" -le 65536 ] || continue
        cp "$f" "corpus/$t/seed-$(printf '%s' "$f" | cksum | cut -d' ' -f1)"
    done
}
prefixed() { # prefixed TARGET BYTE FILE... : the file's bytes after one selector byte (octal)
    t=$1; b=$2; shift 2
    mkdir -p "corpus/$t"
    for f in "$@"; do
        [ -f "$f" ] || continue
        [ "$(wc -c < "$f")" -le 65536 ] || continue
        { printf "\\$b"; cat "$f"; } > "corpus/$t/seed-$b-$(printf '%s' "$f" | cksum | cut -d' ' -f1)"
    done
}

json_docs=$(find $C/obi-ld/tests/data $C/obi-proof/tests/data $C/obi-model/tests/data \
    $C/obi-verify/tests/data $C/obi-server/tests/data \
    -name '*.json' -o -name '*.jsonld' | sort)
for t in jsonld_expand jsonld_compact jsonld_to_rdf ob_model ob2_verify; do
    # shellcheck disable=SC2086
    add $t $json_docs
done
nq=$(find $C/obi-rdf/tests/data $C/obi-ld/tests/data/json-ld/toRdf -name '*.nq' -o -name '*canon*.txt' | sort)
# shellcheck disable=SC2086
add nquads $nq
# shellcheck disable=SC2086
add rdfc $nq
# shellcheck disable=SC2086
add png_unbake $(find $C -path '*/tests/*' -name '*.png')
# shellcheck disable=SC2086
add svg_unbake $(find $C -path '*/tests/*' -name '*.svg')
# shellcheck disable=SC2086
add jws $(find $C -path '*/tests/*' \( -name '*.jws' -o -name '*.jwt' \))
# shellcheck disable=SC2086
add verify_input $(find $C/obi-verify/tests/data -type f \( -name '*.json' -o -name '*.png' \
    -o -name '*.svg' -o -name '*.jws' \))
# shellcheck disable=SC2086
add csv $(find $C -path '*/tests/*' -name '*.csv')
mkdir -p corpus/csv corpus/multibase corpus/http_url
printf 'recipient,name\na@example.org,Ann\n"b@example.org","B, ""Bo"""\n' > corpus/csv/seed-1
printf 'name,recipient,evidence,narrative,achievement\r\nAnn,did:example:1,https://e.example/1,"multi\nline",\r\nBo,a@example.org,,,https://example.edu/a/1\r\n' > corpus/csv/seed-2
printf 'recipient,name\na@example.org,Ann\na@example.org,Ann\nnot-an-address,\n,x\n' > corpus/csv/seed-3
find $C/obi-proof/tests/data -name '*.json' -exec grep -ho '"z[1-9A-HJ-NP-Za-km-z]\{20,\}"' {} + \
    | tr -d '"' | sort -u | head -40 | while read -r k; do
    printf '%s' "$k" > "corpus/multibase/seed-$(printf '%s' "$k" | cksum | cut -d' ' -f1)"
    printf 'did:key:%s' "$k" > "corpus/multibase/seed-did-$(printf '%s' "$k" | cksum | cut -d' ' -f1)"
done
for u in https://example.org/a https://example.org:8443/b?c=d#e http://127.0.0.1/ \
    'https://[::1]/x' https://user@example.org/ https://10.0.0.1/ https://xn--bcher-kva.example/; do
    printf '%s' "$u" > "corpus/http_url/seed-$(printf '%s' "$u" | cksum | cut -d' ' -f1)"
done
# http_body: selector byte 0, 22, 33, 55, 66 = application/json at each endpoint.
bodies=$(find $C/obi-verify/tests/data/corpus $C/obi-server/tests/data -name '*.json' | sort | head -20)
for b in 000 026 041 067 102; do
    # shellcheck disable=SC2086
    prefixed http_body $b $bodies
done
# fetched_body: selector byte 0, 16, 32 = application/json body, entry URL / OB 2.0 / OB 3.0.
served=$(find $C/obi-verify/tests/data -path '*docs*' -name '*.json' | sort)
for b in 000 020 040; do
    # shellcheck disable=SC2086
    prefixed fetched_body $b $served
done
for t in corpus/*; do echo "$t: $(ls "$t" | wc -l) files"; done
