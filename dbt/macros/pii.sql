{#-
    Personal data in the marts: BI tools read keys, salted hashes and masks,
    never a raw email, phone, name or document number.

    pii_hash: hex SHA-256 of salt || value, null for null. The salt comes from
    the var pii_hash_salt, which defaults to the environment variable
    VECTOR_CRM_PII_SALT: set your own secret salt in production; the demo
    default only keeps the demo reproducible. The same value with the same
    salt always gives the same hash, so analysts can count and join on it.
-#}
{% macro pii_hash(expression) -%}
    {{ return(adapter.dispatch('pii_hash', 'vector_crm')(expression, var('pii_hash_salt'))) }}
{%- endmacro %}

{% macro default__pii_hash(expression, salt) -%}
    case when {{ expression }} is not null then sha256({{ dbt.concat([dbt.string_literal(salt), expression]) }}) end
{%- endmacro %}

{% macro postgres__pii_hash(expression, salt) -%}
    case when {{ expression }} is not null
        then encode(sha256(convert_to({{ dbt.concat([dbt.string_literal(salt), expression]) }}, 'UTF8')), 'hex') end
{%- endmacro %}

{% macro spark__pii_hash(expression, salt) -%}
    case when {{ expression }} is not null then sha2({{ dbt.concat([dbt.string_literal(salt), expression]) }}, 256) end
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
