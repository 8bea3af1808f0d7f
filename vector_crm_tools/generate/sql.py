"""DuckDB macros that turn the simulation's integer codes into the strings source systems export.

Formatting happens in DuckDB (vectorised, on both cores), never row by row in Python.
"""

from __future__ import annotations

from .config import SPAN_START
from .rows import NA

MACROS = f"""
create or replace macro na(x) as nullif(x, {NA});
create or replace macro day_date(x) as date '{SPAN_START}' + na(x);
create or replace macro d(x) as day_date(x)::varchar;
create or replace macro ts(x) as (timestamp '{SPAN_START}' + to_seconds(na(x)))::varchar;
create or replace macro money(cents) as printf('%.2f', cents / 100.0);
create or replace macro code(prefix, n, width) as prefix || lpad(n::varchar, width, '0');
create or replace macro bool(b) as case when b then 'true' else 'false' end;
create or replace macro thousands(n) as replace(format('{{:,}}', n), ',', '.');
-- A CSV field, quoted only where needed (RFC 4180); NULL becomes an empty cell.
create or replace macro csvq(x) as case
    when x is null then ''
    when contains(x, ',') or contains(x, '"') or contains(x, chr(10)) or contains(x, chr(13))
        then '"' || replace(x, '"', '""') || '"'
    else x end;
-- Five ways people write the same Colombian mobile number; -1 = not given.
create or replace macro phone(n, f) as case f
    when 0 then n::varchar
    when 1 then '+57 ' || (n // 10000000)::varchar || ' ' || lpad((n // 10000 % 1000)::varchar, 3, '0') || ' ' || lpad((n % 10000)::varchar, 4, '0')
    when 2 then '(' || (n // 10000000)::varchar || ') ' || lpad((n // 10000 % 1000)::varchar, 3, '0') || '-' || lpad((n % 10000)::varchar, 4, '0')
    when 3 then '057-' || (n // 10000000)::varchar || '-' || lpad((n // 10000 % 1000)::varchar, 3, '0') || '-' || lpad((n % 10000)::varchar, 4, '0')
    when 4 then (n // 10000000)::varchar || '.' || lpad((n // 10000 % 1000)::varchar, 3, '0') || '.' || lpad((n % 10000)::varchar, 4, '0')
    end;
-- Email noise kinds (people.EMAIL_*): 1 case, 2 surrounding whitespace, 3 one-letter typo in
-- the first three letters (always letters in our addresses), 4 missing.
create or replace macro noisy_email(e, kind, r) as case kind
    when 0 then e
    when 1 then case when r % 2 = 0 then upper(e) else upper(e[1]) || substr(e, 2) end
    when 2 then case r % 3 when 0 then ' ' || e when 1 then e || ' ' else '  ' || e || ' ' end
    when 3 then left(e, r % 3) || chr(97 + (ascii(e[r % 3 + 1]) - 97 + 1 + r // 3 % 25) % 26) || substr(e, r % 3 + 2)
    end;
"""

# Canonical (true) name, email and phone of every person; feeds join this and add their noise.
PERSONS = """
create or replace table persons as
with parts as (
    select *,
        strip_accents(lower(fn::varchar)) as f,
        strip_accents(lower(sn1::varchar)) as s,
        strip_accents(lower(replace(co_kind::varchar || sn1::varchar || case when co_pattern = 2 then sn2::varchar else '' end, ' ', ''))) as co_domain
    from persons_raw
),
short as (
    select *,
        case
            when not is_company then concat_ws(' ', fn, sn1)
            when co_pattern = 0 then concat_ws(' ', co_kind, sn1)
            when co_pattern = 1 then concat_ws(' ', co_kind, sn1, '&', sn2)
            else sn1 || ', ' || sn2
        end as short_name
    from parts
),
named as (
    select person, is_company, phone, doc, birth, activity, short_name,
        case when is_company then short_name || ' ' || co_form else concat_ws(' ', fn, fn2, sn1, sn2) end as name,
        case
            when is_company then co_box || '@' || co_domain || '.com.co'
            when mail_pattern = 0 then f || '.' || s || '@' || domain
            when mail_pattern = 1 then f || '_' || s || mail_num::varchar || '@' || domain
            when mail_pattern = 2 then f || s || mail_num::varchar || '@' || domain
            else f[1] || s || mail_num::varchar || '@' || domain
        end as email0
    from short
)
select * exclude (email0),
    -- emails are unique per person: a clash gets the person number in the local part
    case when row_number() over (partition by email0 order by person) = 1 then email0
        else replace(email0, '@', person::varchar || '@') end as email
from named
"""
