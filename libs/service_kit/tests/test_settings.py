import pytest
from pydantic import ValidationError
from pydantic_settings import SettingsConfigDict

from service_kit.settings import Profile, RepositoryKind, ServiceSettings


class DemoSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DEMO_SERVICE_", extra="ignore")
    service_name: str = "demo_service"


def test_default_database_is_named_after_the_service(monkeypatch):
    monkeypatch.delenv("DEMO_SERVICE_DATABASE_URL", raising=False)
    settings = DemoSettings()
    assert settings.database_url == "postgresql+asyncpg://postgres@127.0.0.1:5432/demo_service"
    assert settings.profile is Profile.DEVELOPMENT


def test_reads_the_service_prefix_and_the_shared_token(monkeypatch):
    monkeypatch.setenv("DEMO_SERVICE_DATABASE_URL", "postgresql://u:p@db:5432/demo")
    monkeypatch.setenv("DEMO_SERVICE_REPOSITORY", "memory")
    monkeypatch.setenv("INTERNAL_API_TOKEN", "s3cret-token-of-some-length")
    settings = DemoSettings()
    assert settings.database_url == "postgresql+asyncpg://u:p@db:5432/demo"
    assert settings.repository is RepositoryKind.MEMORY
    assert settings.token == "s3cret-token-of-some-length"


def test_production_refuses_insecure_defaults(monkeypatch):
    monkeypatch.delenv("INTERNAL_API_TOKEN", raising=False)
    monkeypatch.delenv("DEMO_SERVICE_DATABASE_URL", raising=False)
    with pytest.raises(ValidationError) as error:
        DemoSettings(profile=Profile.PRODUCTION)
    message = str(error.value)
    assert "INTERNAL_API_TOKEN" in message
    assert "development default" in message


def test_production_accepts_a_real_configuration(monkeypatch):
    monkeypatch.setenv("INTERNAL_API_TOKEN", "0123456789abcdef0123")
    settings = DemoSettings(profile=Profile.PRODUCTION, database_url="postgresql://app:pw@db/demo")
    assert settings.profile is Profile.PRODUCTION
