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
