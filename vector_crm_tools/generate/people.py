"""Persons and the ERP customer master (sales/customers).

Behaviour planted here:
- persons and companies (~12 % companies, each with an economic activity; persons have a
  birth date and, for most, an occupation), spread over Colombian cities and regions;
- acquisition: 35 % of customers were registered before the span (they all appear in the
  first daily file), the rest register over 2023-2025 with the seasonal pattern;
- duplicate registrations: 1.5 % of persons get a second customer number later, with a
  slightly different name and email (defect ``duplicate_customer``);
- households: ~1.5 % of persons head a household whose 1-3 other members share the
  head's first surname, city and phone (defect ``shared_phone``);
- identity noise in the ERP: emails in another case, with surrounding whitespace, with a
  one-letter typo or missing; phones in five formats or missing; cities missing;
- update rows: 10 % of customer numbers are exported again later with a new city or a
  re-typed email/phone (same customer_id, later updated_at: the newest version wins).
- persons beyond the ERP master ("visitors", a quarter as many) only browse the web or
  call the contact center; the ground truth still knows who they are.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import config as c
from .rows import NA, cat, sort_rows

# Email noise kinds (one code per record); the SQL macro `noisy_email` applies them.
EMAIL_OK, EMAIL_CASE, EMAIL_SPACE, EMAIL_TYPO, EMAIL_MISSING = range(5)  # draw weights are listed in this order


@dataclass
class People:
    n_customers: int  # persons in the ERP master: person index 0..n_customers-1
    n_persons: int  # plus visitors
    is_company: np.ndarray
    city: np.ndarray
    created: np.ndarray  # day the primary customer number was registered (ERP persons)
    customer_no: np.ndarray  # primary customer number per ERP person
    dup_no: np.ndarray  # second customer number, -1 when none
    dup_created: np.ndarray
    shared_phone: np.ndarray  # person's phone is a household phone
    persons: pd.DataFrame  # person attributes as codes, turned into strings by sql.PERSONS
    customer_rows: pd.DataFrame  # rows of the customers feed

    def customer_for(self, person: np.ndarray, day: np.ndarray, rng: np.random.Generator, share: float) -> np.ndarray:
        """Customer number a source uses for a person on a day: the duplicate one for `share` of
        records made after the duplicate registration, otherwise the primary one."""
        dup = self.dup_no[person]
        use_dup = (dup >= 0) & (day >= self.dup_created[person]) & (rng.random(len(person)) < share)
        return np.where(use_dup, dup, self.customer_no[person]).astype(np.int32)


def build(size: c.Size, rng: np.random.Generator) -> People:
    n = size.customers
    p = n + n // 4
    is_company = np.zeros(p, bool)
    is_company[:n] = rng.random(n) < 0.12
    female = rng.random(p) < 0.5
    nf, nm = len(c.FEMALE_NAMES), len(c.MALE_NAMES)

    def first_name(mask_extra=None):
        code = np.where(female, rng.integers(0, nf, p), nf + rng.integers(0, nm, p))
        return code if mask_extra is None else np.where(mask_extra, code, -1)

    fn, fn2 = first_name(), first_name(rng.random(p) < 0.35)
    fn2 = np.where(fn2 == fn, -1, fn2)
    sn1, sn2 = c.pick(rng, c.SURNAME_WEIGHTS, p), c.pick(rng, c.SURNAME_WEIGHTS, p)
    city = c.pick(rng, [x[3] for x in c.CITIES], p)
    phone = rng.choice(c.MOBILE_PREFIXES, p).astype(np.int64) * 10_000_000 + rng.integers(0, 10_000_000, p)

    # Households: members take the head's surname, city and phone.
    shared = np.zeros(p, bool)
    cand = rng.permutation(np.flatnonzero(~is_company[:n]))
    n_heads = round(0.015 * n)
    heads = cand[:n_heads]
    extra = rng.integers(1, 4, n_heads)
    members = cand[n_heads : n_heads + extra.sum()]
    head_of = np.repeat(heads, extra)[: len(members)]
    sn1[members], city[members], phone[members] = sn1[head_of], city[head_of], phone[head_of]
    shared[heads] = shared[members] = True

    # Acquisition: a third before the span, the rest over the span with the seasonal pattern.
    before = rng.random(n) < 0.35
    created = np.where(
        before,
        rng.integers(-8 * 365, 0, n),
        c.seasonal_days(rng, np.zeros(n, np.int64), np.full(n, c.N_DAYS)),
    ).astype(np.int32)

    age_days = rng.triangular(18, 30, 85, p) * 365.25
    age_days[:n] = np.maximum(age_days[:n], 540 - np.minimum(created, 540) + 18 * 365.25)  # adults when registered
    birth = np.where(is_company, NA, (540 - age_days).astype(np.int32))  # ages as of mid-2024
    n_act = len(c.PERSON_ACTIVITIES)
    activity = np.where(
        is_company,
        n_act + rng.integers(0, len(c.COMPANY_ACTIVITIES), p),
        np.where(rng.random(p) < 0.6, rng.integers(0, n_act, p), -1),
    )
    doc = np.where(
        is_company,
        rng.integers(800_000_000, 999_999_999, p) * 10 + rng.integers(0, 10, p),  # NIT with check digit
        rng.integers(10_000_000, 1_200_000_000, p),
    )
    persons = pd.DataFrame(
        {
            "person": np.arange(p, dtype=np.int32),
            "is_company": is_company,
            "fn": cat(fn, c.FEMALE_NAMES + c.MALE_NAMES),
            "fn2": cat(fn2, c.FEMALE_NAMES + c.MALE_NAMES),
            "sn1": cat(sn1, c.SURNAMES),
            "sn2": cat(sn2, c.SURNAMES),
            "co_kind": cat(rng.integers(0, len(c.COMPANY_KINDS), p), c.COMPANY_KINDS),
            "co_form": cat(rng.integers(0, len(c.COMPANY_FORMS), p), c.COMPANY_FORMS),
            "co_box": cat(rng.integers(0, len(c.COMPANY_MAILBOXES), p), c.COMPANY_MAILBOXES),
            "co_pattern": rng.integers(0, 3, p).astype(np.int8),
            "mail_pattern": rng.integers(0, 4, p).astype(np.int8),
            "mail_num": np.where(rng.random(p) < 0.5, rng.integers(1, 100, p), rng.integers(1950, 2006, p)).astype(
                np.int16
            ),
            "domain": cat(c.pick(rng, c.EMAIL_DOMAIN_WEIGHTS, p), c.EMAIL_DOMAINS),
            "phone": phone,
            "doc": doc,
            "birth": birth.astype(np.int32),
            "activity": cat(activity, c.PERSON_ACTIVITIES + c.COMPANY_ACTIVITIES),
        }
    )

    # ERP records: one primary customer number per person, plus duplicate registrations.
    dup_created = (np.maximum(created, 0) + 30 + rng.exponential(300, n)).astype(np.int32)
    has_dup = (rng.random(n) < 0.015) & (dup_created < c.N_DAYS)
    rec_person = np.concatenate([np.arange(n), np.flatnonzero(has_dup)]).astype(np.int32)
    rec_created = np.concatenate([created, dup_created[has_dup]])
    rec_dup = np.arange(len(rec_person)) >= n
    # Customer numbers follow registration order, as an ERP sequence would.
    order = np.lexsort((rng.random(len(rec_person)), rec_created))
    rec_no = np.empty(len(rec_person), np.int32)
    rec_no[order] = np.arange(1, len(rec_person) + 1)
    customer_no = rec_no[:n]
    dup_no = np.full(n, -1, np.int32)
    dup_no[has_dup] = rec_no[n:]

    rows = customer_rows(rng, rec_person, rec_no, rec_created, rec_dup, city, shared)
    return People(
        n_customers=n,
        n_persons=p,
        is_company=is_company,
        city=city,
        created=created,
        customer_no=customer_no,
        dup_no=dup_no,
        dup_created=np.where(has_dup, dup_created, c.N_DAYS).astype(np.int32),
        shared_phone=shared,
        persons=persons,
        customer_rows=rows,
    )


def customer_rows(rng, rec_person, rec_no, rec_created, rec_dup, city, shared) -> pd.DataFrame:
    """The customers feed: each record on its registration day (the first file for older ones),
    plus update rows on a later day."""
    r = len(rec_person)
    day0 = np.maximum(rec_created, 0)
    upd_day = (day0 + 30 + rng.exponential(300, r)).astype(np.int32)
    upd = np.flatnonzero((rng.random(r) < 0.10) & (upd_day < c.N_DAYS))
    rec = np.concatenate([np.arange(r), upd])
    is_update = np.arange(len(rec)) >= r
    day = np.concatenate([day0, upd_day[upd]]).astype(np.int32)
    n = len(rec)

    # Email noise: duplicates are typed differently on purpose; updates mostly clean.
    email = np.where(
        rec_dup[rec],
        c.pick(rng, [0.2, 0.4, 0.0, 0.4, 0.0], n),
        np.where(
            is_update, c.pick(rng, [0.92, 0.04, 0.02, 0.0, 0.02], n), c.pick(rng, [0.80, 0.06, 0.03, 0.03, 0.08], n)
        ),
    )
    phone_fmt = c.pick(rng, [0.05, 0.35, 0.20, 0.15, 0.10, 0.15], n) - 1  # -1 = missing
    new_city = np.where(
        is_update & (rng.random(n) < 0.5), c.pick(rng, [x[3] for x in c.CITIES], n), city[rec_person[rec]]
    )
    city_code = np.where(rng.random(n) < 0.04, -1, new_city)
    frame = pd.DataFrame(
        {
            "_day": day,
            "_person": rec_person[rec],
            "customer_no": rec_no[rec],
            "created": rec_created[rec],
            "updated_sec": day.astype(np.int64) * c.DAY + 22 * 3600 + rng.integers(0, 7200, n),
            "is_dup": rec_dup[rec],
            "is_update": is_update,
            "name_variant": np.where(rec_dup[rec], rng.integers(1, 4, n), 0).astype(np.int8),
            "email_kind": email.astype(np.int8),
            "email_r": rng.integers(0, 1_000_000, n).astype(np.int32),
            "phone_fmt": phone_fmt.astype(np.int8),
            "city": cat(city_code, [x[0] for x in c.CITIES]),
            "region": cat(np.where(rng.random(n) < 0.02, -1, c.CITY_REGION[new_city]), c.REGIONS),
            "shared_phone": shared[rec_person[rec]],
        }
    )
    return sort_rows(frame, ["_day", "customer_no", "is_update"])
