{#-
    Personal data in the marts: BI tools read keys, keyed hashes and masks,
    never a raw email, phone, name or document number.

    pii_hash: hex HMAC-SHA256 of the value (UTF-8) under the secret key, null
    for null. The key is the var pii_hash_key, 64 hex digits (32 bytes) from
    the environment variable VECTOR_CRM_PII_SECRET, which the pipeline sets
    from <data dir>/secrets/pii_secret (dagster_project/privacy.py: generated
    on the first run, never in the repository). The same value under the same
    key always gives the same hash, so analysts can count and join on it; with
    no key, nobody can enumerate phone numbers back to their hashes.
-#}
{% macro pii_hash(expression) -%}
    {%- set key = var('pii_hash_key') | trim | lower -%}
    {%- set usable = key | length == 64 and not key.strip('0123456789abcdef') -%}
    {#- building without the key would publish hashes nobody can reproduce; compiling (docs,
        lint) needs none, and must not write the key into compiled SQL anyway -#}
    {%- if execute and not usable and flags.WHICH in ('build', 'run') -%}
        {{ exceptions.raise_compiler_error(
            "pii_hash needs VECTOR_CRM_PII_SECRET: 64 hex digits (make run sets it from "
            ~ "<data dir>/secrets/pii_secret; see dagster_project/privacy.py)") }}
    {%- endif -%}
    {%- set pads = hmac_pads(key if usable else '0' * 64) -%}
    {{ return(adapter.dispatch('pii_hash', 'vector_crm')(expression, pads[0], pads[1])) }}
{%- endmacro %}

{#- HMAC's inner and outer key blocks as hex: the key's 32 bytes padded with zeros to
    64, each byte XOR 0x36 and XOR 0x5c (nibble by nibble, through lookup strings:
    Jinja has no XOR). -#}
{% macro hmac_pads(key_hex) -%}
    {%- set digits = '0123456789abcdef' -%}
    {%- set xor = {
        '3': '32107654ba98fedc', '6': '67452301efcdab89',
        '5': '54761032dcfe98ba', 'c': 'cdef89ab45670123',
    } -%}
    {%- set block = key_hex ~ ('0' * 64) -%}
    {%- set ns = namespace(inner='', outer='') -%}
    {%- for i in range(0, 128, 2) -%}
        {%- set high = digits.index(block[i]) -%}
        {%- set low = digits.index(block[i + 1]) -%}
        {%- set ns.inner = ns.inner ~ xor['3'][high] ~ xor['6'][low] -%}
        {%- set ns.outer = ns.outer ~ xor['5'][high] ~ xor['c'][low] -%}
    {%- endfor -%}
    {{ return([ns.inner, ns.outer]) }}
{%- endmacro %}

{% macro default__pii_hash(expression, inner, outer) -%}
    case when {{ expression }} is not null
        then sha256(unhex('{{ outer }}') || unhex(sha256(unhex('{{ inner }}') || encode({{ expression }})))) end
{%- endmacro %}

{% macro postgres__pii_hash(expression, inner, outer) -%}
    case when {{ expression }} is not null
        then encode(sha256(decode('{{ outer }}', 'hex')
            || sha256(decode('{{ inner }}', 'hex') || convert_to({{ expression }}, 'UTF8'))), 'hex') end
{%- endmacro %}

{% macro spark__pii_hash(expression, inner, outer) -%}
    case when {{ expression }} is not null
        then sha2(concat(unhex('{{ outer }}'),
            unhex(sha2(concat(unhex('{{ inner }}'), encode({{ expression }}, 'UTF-8')), 256))), 256) end
{%- endmacro %}


{#- 'ana.gomez@mail.com' -> 'a***@mail.com' -#}
{% macro mask_email(expression) -%}
    case when {{ expression }} is not null then
        {{ dbt.concat(['substring(' ~ expression ~ ', 1, 1)', "'***@'", dbt.split_part(expression, "'@'", 2)]) }}
    end
{%- endmacro %}


{#- '573001234567' -> '********4567': only the last four digits show. -#}
{% macro mask_phone(expression) -%}
    case when {{ expression }} is not null then
        {{ dbt.concat(["'********'", dbt.right(expression, 4)]) }}
    end
{%- endmacro %}


{#- 'ana maria gomez' -> 'A*** M***': initials of the first two words. -#}
{% macro mask_name(expression) -%}
    case when {{ expression }} is not null then
        trim({{ dbt.concat([
            "upper(substring(" ~ dbt.split_part(expression, "' '", 1) ~ ", 1, 1))", "'*** '",
            "case when " ~ dbt.split_part(expression, "' '", 2) ~ " <> '' then " ~ dbt.concat(["upper(substring(" ~ dbt.split_part(expression, "' '", 2) ~ ", 1, 1))", "'***'"]) ~ " else '' end"
        ]) }})
    end
{%- endmacro %}
