"""Product master data on `skus`: spec, unit price and cost (fen), weight (g), supplier, lead time."""

MIGRATION = (
    4,
    "products",
    """
    ALTER TABLE skus ADD COLUMN spec TEXT;
    -- money in fen (1/100 yuan), never floats
    ALTER TABLE skus ADD COLUMN price_cents INTEGER;
    ALTER TABLE skus ADD COLUMN cost_cents INTEGER;
    ALTER TABLE skus ADD COLUMN weight_g INTEGER;
    ALTER TABLE skus ADD COLUMN supplier TEXT;
    ALTER TABLE skus ADD COLUMN lead_time_days INTEGER
    """,
)
