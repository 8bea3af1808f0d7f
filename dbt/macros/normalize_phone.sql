{#-
    Phone as a matching key: digits only, with the country code.

    Steps, innermost first:
      1. keep digits only:                    '+57 (300) 123-4567' -> '573001234567'
      2. drop a leading 00 international prefix: '00573001234567'   -> '573001234567'
      3. drop a 0 trunk prefix before the country code: '0573001234567' -> '573001234567'
      4. a number of exactly `national_digits` digits gets the country code:
                                               '3001234567'       -> '573001234567'
      5. null when no digit is left.
    Anything else (too short, too long, another country) is kept as digits.

    country_code and national_digits default to the vars phone_country_code
    and phone_national_digits.

    regexp_replace differs between engines: DuckDB and PostgreSQL replace the
    first match unless given the 'g' flag and write back-references as \1;
    Spark replaces every match and writes back-references as $1.
-#}
{% macro normalize_phone(column_name, country_code=none, national_digits=none) -%}
    {%- set country_code = (country_code if country_code is not none else var('phone_country_code')) | string -%}
    {%- if national_digits is none -%}{%- set national_digits = var('phone_national_digits') -%}{%- endif -%}
    {%- set national_digits = national_digits | int -%}
    {%- if not country_code.isdigit() -%}
        {%- set message = "normalize_phone: country code must be digits, got '" ~ country_code ~ "'" -%}
        {{ exceptions.raise_compiler_error(message) }}
    {%- endif -%}
    {{ return(adapter.dispatch('normalize_phone', 'vector_crm')(column_name, country_code, national_digits)) }}
{%- endmacro %}

{% macro default__normalize_phone(column_name, country_code, national_digits) -%}
    {%- set national_number = '^([0-9]{' ~ national_digits ~ '})$' -%}
    nullif(
        regexp_replace(
            regexp_replace(
                regexp_replace(
                    regexp_replace(
                        cast({{ column_name }} as {{ dbt.type_string() }}),
                        '[^0-9]', '', 'g'
                    ),
                    '^00', '', 'g'
                ),
                '^0{{ country_code }}', '{{ country_code }}', 'g'
            ),
            '{{ national_number }}', '{{ country_code }}\1', 'g'
        ),
        ''
    )
{%- endmacro %}

{% macro spark__normalize_phone(column_name, country_code, national_digits) -%}
    {%- set national_number = '^([0-9]{' ~ national_digits ~ '})$' -%}
    nullif(
        regexp_replace(
            regexp_replace(
                regexp_replace(
                    regexp_replace(
                        cast({{ column_name }} as {{ dbt.type_string() }}),
                        '[^0-9]', ''
                    ),
                    '^00', ''
                ),
                '^0{{ country_code }}', '{{ country_code }}'
            ),
            '{{ national_number }}', '{{ country_code }}$1'
        ),
        ''
    )
{%- endmacro %}
