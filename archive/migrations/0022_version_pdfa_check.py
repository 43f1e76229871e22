# PDF/A checked, not claimed (issue 14, point 10): the validator's verdict on each version's
# rendition. Versions filed before this carry "not_checked" (nothing re-validates them yet);
# an export declares PDF/A only on "pass".

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('archive', '0021_subject_address'),
    ]

    operations = [
        migrations.AddField(
            model_name='version',
            name='pdfa_check',
            field=models.CharField(choices=[('pass', 'PDF/A geprüft: gültig'), ('fail', 'PDF/A-Prüfung fehlgeschlagen'), ('not_checked', 'PDF/A nicht geprüft')], default='not_checked', max_length=16, verbose_name='PDF/A-Prüfung'),
        ),
        migrations.AddField(
            model_name='version',
            name='pdfa_findings',
            field=models.JSONField(blank=True, default=list),
        ),
    ]
