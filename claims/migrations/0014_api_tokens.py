# Personal API tokens (claims/models/tokens.py): hashed secret, public prefix, scopes, expiry.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('claims', '0013_factchecks'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ApiToken',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100)),
                ('scopes', models.CharField(help_text='Space-separated: “read”, or “read write”.', max_length=20)),
                ('prefix', models.CharField(editable=False, max_length=16, unique=True)),
                ('digest', models.CharField(editable=False, max_length=64, unique=True)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                ('expires_at', models.DateTimeField(blank=True, null=True)),
                ('last_used_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('revoked_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('created_by', models.ForeignKey(blank=True, help_text='Who made it: its owner, or an admin who made it for them.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='api_tokens', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'API token',
                'ordering': ['-created_at', '-id'],
                'indexes': [models.Index(fields=['user', '-created_at', '-id'], name='apitoken_user_idx'), models.Index(fields=['-created_at', '-id'], name='apitoken_created_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('scopes__in', ['read', 'read write'])), name='apitoken_scopes_valid'), models.CheckConstraint(condition=models.Q(('name', ''), _negated=True), name='apitoken_name_not_empty')],
            },
        ),
    ]
