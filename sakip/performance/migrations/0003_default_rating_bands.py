"""The default rating bands: ≥ 91 sangat baik, 76–90 baik, 66–75 cukup, 51–65 kurang, ≤ 50 sangat kurang."""

from decimal import Decimal

from django.db import migrations

DEFAULT_BANDS = [
    (Decimal("91"), "Sangat Baik"),
    (Decimal("76"), "Baik"),
    (Decimal("66"), "Cukup"),
    (Decimal("51"), "Kurang"),
    (None, "Sangat Kurang"),
]


def create_bands(apps, schema_editor):
    RatingBand = apps.get_model("performance", "RatingBand")
    if RatingBand.objects.exists():
        return  # an office that configured its own bands keeps them
    RatingBand.objects.bulk_create(RatingBand(minimum=minimum, label=label) for minimum, label in DEFAULT_BANDS)


class Migration(migrations.Migration):
    dependencies = [("performance", "0002_initial")]
    operations = [migrations.RunPython(create_bands, migrations.RunPython.noop)]
