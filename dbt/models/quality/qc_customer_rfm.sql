{#-
    The frame GX suite marts.customer_rfm validates (expectations/marts/customer_rfm.json):
    totals of the RFM scores. Columns in _quality__models.yml.
-#}
{#- under 100 scored customers ties make the quintiles uneven: top_m_quintile_share is null (not checked) -#}
select
    count(*) as customers,
    count(
        case when is_rfm_scored and (r_score is null or f_score is null or m_score is null) then 1 end
    ) as scored_without_scores,
    count(case when not is_rfm_scored and r_score is not null then 1 end) as unscored_with_scores,
    max(m_score) as max_score,
    case
        when count(case when is_rfm_scored then 1 end) >= 100
            then
                cast(count(case when m_score = 5 then 1 end) as {{ vector_crm.type_double() }})
                / nullif(count(case when is_rfm_scored then 1 end), 0)
    end as top_m_quintile_share,
    count(case when frequency < 0 or recency_days < 0 then 1 end) as negative_values

from {{ ref('customer_rfm') }}
