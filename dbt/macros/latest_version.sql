{#-
    Rank the versions of each business key, newest first, so that
    `where <alias> = 1` keeps the latest version:

      1. the feed's version column, descending, nulls last (when it has one),
      2. then when the batch was loaded (_loaded_at), descending,
      3. then the landed file (_source_file) and the line in it (_source_row),
         descending: a later file, or a later line of the same file, wins.

    Use it in its own CTE and filter in the next one: PostgreSQL has no
    `qualify`. Every engine we target accepts `nulls last`; it is spelled out
    because PostgreSQL sorts nulls first in descending order by default.
-#}
{% macro latest_version(business_key, version_column=none) -%}
    {%- set keys = [business_key] if business_key is string else business_key -%}
    row_number() over (
        partition by {{ keys | join(', ') }}
        order by
            {%- if version_column %}
            {{ version_column }} desc nulls last,
            {%- endif %}
            _loaded_at desc,
            _source_file desc,
            _source_row desc
    )
{%- endmacro %}
