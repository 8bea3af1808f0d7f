{#-
    Score 1..tiles (tiles = 5 gives quintiles) from a rank() and the count of
    its partition: score = 1 + floor(tiles * (rank - 1) / count), written as
    integer comparisons so that no engine's division or rounding can move a
    value across a boundary.

    Ties: rank() gives tied values the same (lowest) rank, so ties always share
    a score, and the score depends only on the value, never on row order. With
    many ties a score can be skipped (if 60% of customers have one order day,
    they all score 1 and the next value scores 4). A null rank (an unranked
    row) has a null score.
-#}
{% macro tile_score(rank_column, count_column, tiles=5) -%}
    case
        when {{ rank_column }} is null then null
    {%- for k in range(tiles - 1, 0, -1) %}
        when {{ tiles }} * ({{ rank_column }} - 1) >= {{ k }} * {{ count_column }} then {{ k + 1 }}
    {%- endfor %}
        else 1
    end
{%- endmacro %}


{#-
    The same scores without ranking every row: for k = 1..tiles-1,
    tile_threshold_k is the lowest value whose tile_score is above k (null when
    none is). As a value's rank never decreases with the value, a row scores
    1 + the number of thresholds at or below its value, exactly its tile_score.
    tile_thresholds is an aggregate over rows carrying each distinct value's
    rank and the count (group by the partition); tile_from_thresholds reads a
    row's value against the thresholds of its partition (`thresholds`, an
    alias).
-#}
{% macro tile_thresholds(rank_column, count_column, value_column, tiles=5) -%}
    {%- for k in range(1, tiles) %}
        min(
            case when {{ tiles }} * ({{ rank_column }} - 1) >= {{ k }} * {{ count_column }} then {{ value_column }} end
        ) as tile_threshold_{{ k }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{% macro tile_from_thresholds(value_column, thresholds, tiles=5) -%}
    case
        when {{ value_column }} is null then null
    {%- for k in range(tiles - 1, 0, -1) %}
        when {{ value_column }} >= {{ thresholds }}.tile_threshold_{{ k }} then {{ k + 1 }}
    {%- endfor %}
        else 1
    end
{%- endmacro %}
