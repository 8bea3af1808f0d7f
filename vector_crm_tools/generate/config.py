"""Sizes, the fixed time span and the reference lists the generator draws from.

Everything the generator invents by name (product lines, cities, first names,
campaigns) lives here so that the simulation modules only deal in integer codes.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date

import numpy as np

# The span is fixed so that the same seed gives the same files on any day.
SPAN_START = date(2023, 1, 1)
SPAN_END = date(2025, 12, 31)
N_DAYS = (SPAN_END - SPAN_START).days + 1  # 1096; day 0 is SPAN_START
DAY = 86_400


@dataclass(frozen=True)
class Size:
    customers: int  # distinct persons/companies in the ERP master
    order_lines: int  # target, first versions
    cc_rows: int  # interactions + case versions + campaign members, target
    web_events: int  # target


_L = Size(customers=1_000_000, order_lines=20_000_000, cc_rows=5_000_000, web_events=30_000_000)
SIZES = {
    name: Size(*(round(v * f) for v in (_L.customers, _L.order_lines, _L.cc_rows, _L.web_events)))
    for name, f in {"S": 0.005, "M": 0.1, "L": 1.0, "XL": 5.0}.items()
}


def rng_for(seed: int, stream: str) -> np.random.Generator:
    """An independent PCG64 stream per part, so that changing one part never shifts another."""
    return np.random.Generator(np.random.PCG64([seed, zlib.crc32(stream.encode())]))


def pick(rng: np.random.Generator, weights, n: int) -> np.ndarray:
    """n codes drawn with the given (unnormalised) weights."""
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(p), size=n, p=p / p.sum()).astype(np.int16)


def lognormal(rng: np.random.Generator, median: float, sigma: float, n: int) -> np.ndarray:
    return median * np.exp(sigma * rng.standard_normal(n))


# --- seasonality: December peak, quiet January/February, busy weekends --------------------------
MONTH_FACTOR = np.array([0.75, 0.8, 0.95, 0.95, 1.05, 1.0, 1.0, 0.95, 0.95, 1.0, 1.25, 1.8])
WEEKDAY_FACTOR = np.array([0.9, 0.9, 0.95, 1.0, 1.15, 1.35, 0.75])  # Monday..Sunday


def day_weights() -> np.ndarray:
    days = np.datetime64(SPAN_START.isoformat()) + np.arange(N_DAYS)
    month = days.astype("datetime64[M]").astype(int) % 12
    weekday = (days.astype(int) + 3) % 7  # 1970-01-01 was a Thursday
    w = MONTH_FACTOR[month] * WEEKDAY_FACTOR[weekday]
    return w / w.mean()


DAY_CDF = np.concatenate([[0.0], np.cumsum(day_weights())])  # cumulative weight; mean day weighs 1


def seasonal_days(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """One day per row in [lo, hi), drawn with the seasonal weights (inverse CDF)."""
    u = DAY_CDF[lo] + rng.random(len(lo)) * (DAY_CDF[hi] - DAY_CDF[lo])
    return np.clip(np.searchsorted(DAY_CDF, u, side="right") - 1, lo, hi - 1).astype(np.int32)


# Hour-of-day weights (0..23): shop and call-center hours, and evening browsing on the web.
OFFICE_HOURS = np.array([0, 0, 0, 0, 0, 0, 0.2, 1, 3, 4, 4, 4, 3, 3, 4, 4, 3.5, 3, 2, 1.5, 1, 0.5, 0.1, 0])
WEB_HOURS = np.array(
    [1, 0.6, 0.3, 0.2, 0.2, 0.4, 1, 2, 3, 3.5, 3.5, 3.5, 4, 4, 3.5, 3.5, 3.5, 4, 4.5, 5, 6, 6, 4.5, 2.5]
)


def seconds_in_day(rng: np.random.Generator, hours: np.ndarray, n: int) -> np.ndarray:
    return (pick(rng, hours, n).astype(np.int64) * 3600 + rng.integers(0, 3600, n)).astype(np.int64)


# --- products: lines with their own margin and price range; SKUs belong to one line -------------
# (name, margin rate, min price, max price, popularity)
PRODUCT_LINES = [
    ("groceries", 0.12, 1.0, 30.0, 0.24),
    ("home", 0.45, 5.0, 120.0, 0.17),
    ("beauty", 0.55, 4.0, 80.0, 0.13),
    ("electronics", 0.18, 40.0, 1200.0, 0.12),
    ("sports", 0.38, 10.0, 400.0, 0.10),
    ("appliances", 0.22, 150.0, 1500.0, 0.08),
    ("services", 0.70, 20.0, 300.0, 0.07),
    ("furniture", 0.35, 80.0, 900.0, 0.09),
]
LINE_NAMES = [p[0] for p in PRODUCT_LINES]
LINE_MARGIN = np.array([p[1] for p in PRODUCT_LINES])
LINE_POPULARITY = np.array([p[4] for p in PRODUCT_LINES])
SKUS_PER_LINE = 60
YEAR_INFLATION = np.array([1.0, 1.05, 1.09])  # list prices rise each January

CHANNELS = ["store", "web", "phone", "field_sales", "marketplace", "other"]
CHANNEL_MIX_PERSON = [0.45, 0.25, 0.08, 0.03, 0.12, 0.07]
CHANNEL_MIX_COMPANY = [0.15, 0.15, 0.20, 0.40, 0.05, 0.05]
CREDIT_CHANNELS = (CHANNELS.index("phone"), CHANNELS.index("field_sales"))

# --- geography: (city, region, branch code, population weight, branches) ------------------------
CITIES = [
    ("Bogotá", "Bogotá D.C.", "BOG", 30, 3),
    ("Medellín", "Antioquia", "MED", 14, 3),
    ("Cali", "Valle del Cauca", "CAL", 11, 2),
    ("Barranquilla", "Atlántico", "BAQ", 7, 2),
    ("Cartagena", "Bolívar", "CTG", 5, 1),
    ("Bucaramanga", "Santander", "BGA", 4, 1),
    ("Cúcuta", "Norte de Santander", "CUC", 3.5, 1),
    ("Pereira", "Risaralda", "PEI", 3, 1),
    ("Manizales", "Caldas", "MZL", 2.5, 1),
    ("Ibagué", "Tolima", "IBE", 2.5, 1),
    ("Santa Marta", "Magdalena", "SMR", 2.5, 1),
    ("Villavicencio", "Meta", "VVC", 2.5, 1),
    ("Pasto", "Nariño", "PSO", 2, 1),
    ("Montería", "Córdoba", "MTR", 2, 1),
    ("Neiva", "Huila", "NVA", 2, 1),
    ("Armenia", "Quindío", "AXM", 1.5, 1),
    ("Envigado", "Antioquia", "ENV", 1.5, 1),
    ("Soacha", "Cundinamarca", "SOA", 2, 1),
    ("Popayán", "Cauca", "PPN", 1.5, 1),
    ("Tunja", "Boyacá", "TUN", 1.2, 1),
]

REGIONS = list(dict.fromkeys(x[1] for x in CITIES))
CITY_REGION = np.array([REGIONS.index(x[1]) for x in CITIES])

FEMALE_NAMES = [
    "Ana",
    "María",
    "Laura",
    "Sofía",
    "Valentina",
    "Camila",
    "Daniela",
    "Paula",
    "Andrea",
    "Carolina",
    "Natalia",
    "Juliana",
    "Isabella",
    "Mariana",
    "Gabriela",
    "Luisa",
    "Diana",
    "Claudia",
    "Sandra",
    "Patricia",
    "Ángela",
    "Lucía",
    "Marcela",
    "Adriana",
    "Catalina",
    "Paola",
    "Lina",
    "Alejandra",
    "Verónica",
    "Mónica",
    "Beatriz",
    "Gloria",
    "Luz",
    "Rosa",
    "Teresa",
    "Elena",
    "Sara",
    "Manuela",
    "Juana",
    "Ximena",
]
MALE_NAMES = [
    "Juan",
    "Carlos",
    "Andrés",
    "Luis",
    "Jorge",
    "Santiago",
    "Sebastián",
    "Alejandro",
    "Felipe",
    "Diego",
    "Mateo",
    "Nicolás",
    "Daniel",
    "David",
    "José",
    "Miguel",
    "Óscar",
    "Fernando",
    "Ricardo",
    "Camilo",
    "Javier",
    "Mauricio",
    "Hernán",
    "Gustavo",
    "Jaime",
    "Álvaro",
    "Héctor",
    "Iván",
    "Pablo",
    "Sergio",
    "Tomás",
    "Emilio",
    "Esteban",
    "Julián",
    "Rafael",
    "Manuel",
    "Hugo",
    "Germán",
    "Rodrigo",
    "Fabio",
]
SURNAMES = [
    "Rodríguez",
    "Gómez",
    "González",
    "Martínez",
    "García",
    "López",
    "Hernández",
    "Sánchez",
    "Ramírez",
    "Pérez",
    "Díaz",
    "Muñoz",
    "Rojas",
    "Moreno",
    "Jiménez",
    "Vargas",
    "Castro",
    "Gutiérrez",
    "Torres",
    "Ortiz",
    "Ruiz",
    "Álvarez",
    "Suárez",
    "Romero",
    "Herrera",
    "Valencia",
    "Quintero",
    "Restrepo",
    "Giraldo",
    "Cardona",
    "Ospina",
    "Mejía",
    "Ríos",
    "Arango",
    "Zapata",
    "Salazar",
    "Londoño",
    "Castaño",
    "Ocampo",
    "Agudelo",
    "Montoya",
    "Osorio",
    "Correa",
    "Cárdenas",
    "Vélez",
    "Palacio",
    "Duque",
    "Escobar",
    "Henao",
    "Marín",
    "Bedoya",
    "Sierra",
    "Rincón",
    "Parra",
    "Peña",
    "Acosta",
    "Mendoza",
    "Cortés",
    "Ibáñez",
    "Patiño",
]
# Zipf-like: a few surnames are very common, as in real registries.
SURNAME_WEIGHTS = 1.0 / (np.arange(len(SURNAMES)) + 4)

COMPANY_KINDS = [
    "Inversiones",
    "Distribuciones",
    "Comercializadora",
    "Ferretería",
    "Droguería",
    "Transportes",
    "Constructora",
    "Agroindustrias",
    "Servicios",
    "Tecnología",
    "Almacenes",
    "Importadora",
]
COMPANY_FORMS = ["S.A.S.", "S.A.", "Ltda.", "y Cía. S. en C."]
COMPANY_MAILBOXES = ["ventas", "contacto", "info", "compras", "gerencia"]
COMPANY_ACTIVITIES = [
    "retail",
    "wholesale",
    "manufacturing",
    "construction",
    "agriculture",
    "hospitality",
    "health",
    "education",
    "transport",
    "technology",
    "professional_services",
]
PERSON_ACTIVITIES = ["employee", "self_employed", "retired", "student", "homemaker"]
EMAIL_DOMAINS = ["gmail.com", "hotmail.com", "outlook.com", "yahoo.com", "une.net.co", "yahoo.es"]
EMAIL_DOMAIN_WEIGHTS = [0.46, 0.24, 0.13, 0.08, 0.04, 0.05]
MOBILE_PREFIXES = np.array([300, 301, 302, 304, 305, 310, 311, 312, 313, 314, 315, 316, 317, 318, 319, 320, 321, 350])

# --- campaigns: (launch date, type, promoted product line) ----------------------------------------
CAMPAIGNS = [
    ("2023-03-07", "cross_sell", "beauty"),
    ("2023-05-09", "up_sell", "electronics"),
    ("2023-08-08", "win_back", "groceries"),
    ("2023-10-10", "retention", "home"),
    ("2024-02-06", "cross_sell", "sports"),
    ("2024-04-09", "win_back", "home"),
    ("2024-06-04", "up_sell", "appliances"),
    ("2024-09-10", "retention", "groceries"),
    ("2024-11-05", "cross_sell", "services"),
    ("2025-03-04", "win_back", "beauty"),
    ("2025-06-10", "up_sell", "furniture"),
    ("2025-09-09", "retention", "electronics"),
]
CAMPAIGN_TYPES = ["acquisition", "up_sell", "cross_sell", "win_back", "retention"]
PILOT_SHARE = 0.7
# Chance that a contacted (pilot) member buys the promoted line because of the campaign.
CAMPAIGN_RESPONSE = {"cross_sell": 0.20, "up_sell": 0.15, "win_back": 0.12, "retention": 0.15}
