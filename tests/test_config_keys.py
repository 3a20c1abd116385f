"""keepwise.toml (issue 11): an unknown section or setting — a typo — is an error naming the
closest known one, in every section the code reads; bad values are explained in the user's
language."""

from __future__ import annotations

from pathlib import Path

import pytest

from keepwise import Workspace
from keepwise._core.config import parse_config
from keepwise._core.errors import ConfigError

TYPOS = [
    ("[churnn]\nmode = 'events'\n", "Unknown section [churnn] in keepwise.toml; did you mean [churn]?"),
    ("[churn]\ninactivity_dayz = 30\n", "did you mean churn.inactivity_days?"),
    ("[churn.segments.retail]\nmod = 'inactivity'\n", "did you mean churn.segments.retail.mode?"),
    ("[workspace]\nlanguag = 'zh'\n", "did you mean workspace.language?"),
    ("[database]\nulr = 'duckdb:///x.duckdb'\n", "did you mean database.url?"),
    ("[value]\nhorizon_month = 6\n", "did you mean value.horizon_months?"),
    ("[value.no_value]\nperiod = 3\n", "did you mean value.no_value.periods?"),
    ("[risk]\nhorizn = 30\n", "did you mean risk.horizon?"),
    ("[risk]\nsnapshot = 3\n", "did you mean risk.snapshots?"),
    ("[server]\nsession_hour = 8\n", "did you mean server.session_hours?"),
    ("[lifecycle]\npool_after_day = 30\n", "did you mean lifecycle.pool_after_days?"),
    ("[notify]\nretry = 3\n", "did you mean notify.retries?"),
    ("[notify.smtp]\nhots = 'x'\n", "did you mean notify.smtp.host?"),
    ("[notify.channels.a]\ntype = 'wecom'\nwebhok = 'http://127.0.0.1/x'\n",
     "did you mean notify.channels.a.webhook?"),
    ("[notify.channels.a]\ntype = 'slack'\nwebhook = 'x'\n", "email, wecom, dingtalk or feishu"),
    ("[surveys]\nday = 3\n", "did you mean surveys.days?"),
    ("[refresh]\ninbx = 'in'\n", "did you mean refresh.inbox?"),
    ("[alerts]\nx = 1\n", "known: workspace, database, churn, value, risk, lifecycle, server, notify, surveys, refresh"),
]  # fmt: skip


@pytest.mark.parametrize(("toml", "says"), TYPOS, ids=[s.split("\n")[1] for s, _ in TYPOS])
def test_a_typo_is_an_error_naming_the_closest_setting(
    toml: str, says: str, tmp_path: Path
) -> None:
    Workspace.init(tmp_path / "ws", lang="en").close()
    (tmp_path / "ws" / "keepwise.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        Workspace.open(tmp_path / "ws")
    assert says in caught.value.message("en")


def test_every_documented_setting_is_known(tmp_path: Path) -> None:
    """The settings docs/configuration.md, docs/models.md and docs/reports.md show are
    accepted."""
    toml = """
[workspace]
name = "x"
language = "en"
[database]
url = "duckdb:///keepwise.duckdb"
[churn]
mode = "inactivity"
inactivity_days = 90
p_alive_below = 0.2
[churn.segments.retail]
mode = "inactivity"
inactivity_days = 120
p_alive_below = 0.1
[value]
horizon_months = 12
discount_rate = 0.01
time_unit = "weeks"
transaction_model = "bgnbd"
window_months = 12
margin = 0.3
ticket_cost = 0.0
followup_cost = 0.0
tier_by = "predicted_clv"
tier_cutoffs = "quantile"
tier_high = 0.8
tier_mid = 0.5
no_value_at_most = 0.0
rfm_high_score = 3
[value.no_value]
grain = "quarter"
periods = 2
orders_below = 1
spend_below = 1000.0
profit_below = 0.0
p_alive_below = 0.2
[risk]
horizon = 90
snapshots = 6
cutoffs = [0.3, 0.6]
splits = 2
drivers_from = "low"
max_trees = 300
[server]
[lifecycle]
void_needs_approval = false
pool_after_days = 90
pool_claim_limit = 20
[surveys]
base_url = "https://keepwise.example.com"
days = 14
secret_env = "KEEPWISE_SURVEY_KEY"
[refresh]
inbox = "inbox"
retrain_days = 30
steps = ["import", "value", "risk", "alerts", "playbooks", "notify"]
[refresh.kinds]
"x*.csv" = "orders"
[refresh.mappings]
orders = "mappings/orders.yaml"
[notify]
retries = 3
backoff_seconds = 30
timeout_seconds = 10
[notify.smtp]
host = "smtp.example.com"
port = 465
security = "ssl"
username = "keepwise@example.com"
password_env = "KEEPWISE_SMTP_PASSWORD"
sender = "Keepwise <keepwise@example.com>"
[notify.channels.east]
type = "wecom"
webhook_env = "KEEPWISE_WECOM_EAST"
owners = ["E0001", "E0002"]
lang = "zh"
[notify.channels.managers]
type = "dingtalk"
webhook_env = "KEEPWISE_DINGTALK_URL"
secret_env = "KEEPWISE_DINGTALK_SECRET"
send = ["alerts"]
[notify.channels.north]
type = "feishu"
webhook_env = "KEEPWISE_FEISHU_URL"
secret_env = "KEEPWISE_FEISHU_SECRET"
owners = ["E0003"]
[notify.channels.reps]
type = "email"
per_owner = true
lang = "zh"
[notify.channels.ops]
type = "email"
to = ["ops@example.com"]
lang = "en"
enabled = true
secret = "unused"
webhook = "unused"
"""
    Workspace.init(tmp_path / "ws", lang="en").close()
    (tmp_path / "ws" / "keepwise.toml").write_text(toml, encoding="utf-8")
    ws = Workspace.open(tmp_path / "ws")
    assert ws.config.churn.for_segment("retail").inactivity_days == 120
    assert [c.name for c in ws.notify.settings().channels] == [
        "east", "managers", "north", "reps", "ops"]  # fmt: skip
    ws.close()


@pytest.mark.parametrize(("setting", "says"), [
    ("session_hours = 0", "server.session_hours has an invalid value 0: > 0"),
    ("login_attempts = 2.5", "server.login_attempts has an invalid value 2.5: integer > 0"),
    ("secure_cookies = 'yes'", "server.secure_cookies has an invalid value 'yes': true | false"),
])  # fmt: skip
def test_bad_server_settings(setting: str, says: str, tmp_path: Path) -> None:
    Workspace.init(tmp_path / "ws", lang="en").close()
    (tmp_path / "ws" / "keepwise.toml").write_text(f"[server]\n{setting}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        Workspace.open(tmp_path / "ws")
    assert says in caught.value.message("en")


def test_bad_values_are_explained_in_the_users_language() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config({"churn": {"inactivity_days": 0}})
    assert caught.value.message("zh") == "配置项 churn.inactivity_days 的值 0 无效：大于 0 的整数"
    assert caught.value.message("en").endswith("invalid value 0: integer > 0")
    with pytest.raises(ConfigError) as caught:
        parse_config({"churn": {"inactivity_dayz": 30}})
    assert "您是不是要写 churn.inactivity_days" in caught.value.message("zh")


@pytest.mark.parametrize("raw", [{"workspace": {"language": "fr"}}, {"churn": 3},
                                 {"churn": {"segments": {"retail": 5}}}])  # fmt: skip
def test_wrong_shapes_are_errors(raw: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        parse_config(raw)
