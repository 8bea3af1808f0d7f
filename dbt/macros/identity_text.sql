{#-
    Text normalisers for identity matching. Portable by default; dispatched so
    an engine with better built-ins (DuckDB's strip_accents) can override.
-#}

{#- Replace every match of a regular expression (DuckDB/PostgreSQL need the 'g' flag; Spark replaces all). -#}
{% macro regexp_replace_all(expression, pattern, replacement) -%}
    {{ return(adapter.dispatch('regexp_replace_all', 'vector_crm')(expression, pattern, replacement)) }}
{%- endmacro %}

{% macro default__regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{% macro spark__regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}')
{%- endmacro %}


{#-
    A person's or company's name for comparison: lower case, accents removed,
    anything but letters, digits and spaces dropped, runs of spaces collapsed.
    'José  María Gómez-Pérez' -> 'jose maria gomezperez'.
-#}
{% macro normalize_name(column_name) -%}
    {{ return(adapter.dispatch('normalize_name', 'vector_crm')(column_name)) }}
{%- endmacro %}

{% macro default__normalize_name(column_name) -%}
    {%- set letters = vector_crm.regexp_replace_all(
        "translate(lower(cast(" ~ column_name ~ " as " ~ dbt.type_string() ~ ")), 'áàäâãéèëêíìïîóòöôõúùüûñç', 'aaaaaeeeeiiiiooooouuuunc')",
        '[^a-z0-9 ]', '') -%}
    {#- runs of spaces are rare: the second regular expression only runs where there is one
        (the engine computes `letters` once) -#}
    {%- set single_spaced = vector_crm.regexp_replace_all(letters, ' +', ' ') -%}
    nullif(trim(case when {{ letters }} like '%  %' then {{ single_spaced }} else {{ letters }} end), '')
{%- endmacro %}


{#- The first word of a normalised name: the given name of a person ('jose'). -#}
{% macro first_word(expression) -%}
    {{ dbt.split_part(expression, "' '", 1) }}
{%- endmacro %}


{#- A document number as a matching key: lower case, letters and digits only ('52.345.678' -> '52345678'). -#}
{% macro normalize_document(column_name) -%}
    {%- set lowered = "lower(cast(" ~ column_name ~ " as " ~ dbt.type_string() ~ "))" -%}
    nullif({{ vector_crm.regexp_replace_all(lowered, '[^0-9a-z]', '') }}, '')
{%- endmacro %}


{#- Edit (Levenshtein) distance. DuckDB and Spark have it built in; PostgreSQL needs the fuzzystrmatch extension. -#}
{% macro edit_distance(a, b) -%}
    {{ return(adapter.dispatch('edit_distance', 'vector_crm')(a, b)) }}
{%- endmacro %}

{% macro default__edit_distance(a, b) -%}
    levenshtein({{ a }}, {{ b }})
{%- endmacro %}


{#-
    Similarity of two names in [0, 1]. DuckDB: Jaro-Winkler. Elsewhere:
    1 - edit distance / length of the longer name, a close stand-in.
-#}
{% macro name_similarity(a, b) -%}
    {{ return(adapter.dispatch('name_similarity', 'vector_crm')(a, b)) }}
{%- endmacro %}

{% macro default__name_similarity(a, b) -%}
    (1.0 - 1.0 * levenshtein({{ a }}, {{ b }}) / greatest(length({{ a }}), length({{ b }}), 1))
{%- endmacro %}

{% macro duckdb__name_similarity(a, b) -%}
    jaro_winkler_similarity({{ a }}, {{ b }})
{%- endmacro %}


{#-
    An integer id for a string (a record_uid, a node '<type>:<value>'): the MD5
    of the text as a number, so that the identity graph joins and groups
    integers instead of ~20-character strings, with no join to a table of ids.
    Only compared within one run, never stored as a key. 128 bits: two of ten
    million strings share an id with probability about 1e-25. (DuckDB's hash()
    is 64 bits and weak: 33 of L's 4.2M nodes collided.)
-#}
{% macro identity_id(expression) -%}
    {{ return(adapter.dispatch('identity_id', 'vector_crm')(expression)) }}
{%- endmacro %}

{#- Elsewhere (PostgreSQL included) the MD5 text itself (a 32-character string) keeps it correct. -#}
{% macro default__identity_id(expression) -%}
    {{ dbt.hash(expression) }}
{%- endmacro %}

{#- DuckDB: a UHUGEINT. -#}
{% macro duckdb__identity_id(expression) -%}
    md5_number({{ expression }})
{%- endmacro %}

{#- PostgreSQL takes the default: a uuid would be smaller, but it has no min(). -#}


{#-
    Survivorship of a contact as an aggregate: of the rows where `condition`
    holds, the `value` of the lowest `priority`, then the latest `observed_at`
    (nulls last), then the smallest value. PostgreSQL and the default: the
    first element of an ordered array_agg; DuckDB: arg_min over a composite
    key (one hash aggregate, no sort); Spark: min_by over the same key as a
    struct.
-#}
{% macro first_contact(value, priority, observed_at, condition) -%}
    {{ return(adapter.dispatch('first_contact', 'vector_crm')(value, priority, observed_at, condition)) }}
{%- endmacro %}

{% macro default__first_contact(value, priority, observed_at, condition) -%}
    (array_agg({{ value }} order by {{ priority }} asc, {{ observed_at }} desc nulls last, {{ value }} asc)
        filter (where {{ condition }}))[1]
{%- endmacro %}

{% macro spark__first_contact(value, priority, observed_at, condition) -%}
    min_by(
        {{ value }},
        named_struct(
            'priority', {{ priority }},
            'latest', coalesce(-unix_micros({{ observed_at }}), 9223372036854775807),
            'value', {{ value }}
        )
    ) filter (where {{ condition }})
{%- endmacro %}

{% macro duckdb__first_contact(value, priority, observed_at, condition) -%}
    arg_min(
        {{ value }},
        row({{ priority }}, coalesce(-epoch_us({{ observed_at }}), 9223372036854775807), {{ value }})
    ) filter (where {{ condition }})
{%- endmacro %}
