{#-
    The frame GX suite marts.dim_customers validates (expectations/marts/dim_customers.json):
    totals of the golden records. Columns in _quality__models.yml.
-#}
{#- share_without_erp_number is null (not checked) for a sales-only history: no customer has an ERP number -#}
select
    count(*) as customers,
    count(case when is_missing_member then 1 end) as missing_members,
    case
        when count(primary_customer_number) > 0
            then avg(
                case
                    when not is_missing_member then case when primary_customer_number is null then 1.0 else 0.0 end
                end
            )
    end as share_without_erp_number

from {{ ref('dim_customers') }}
