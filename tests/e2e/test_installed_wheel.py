"""VAL installed as a wheel, away from any checkout: it finds its rules, migrates and takes a referral."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).parents[2]

CHECK = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    import val
    assert "site" in val.__file__, val.__file__  # the installed copy, not the checkout
    from val.db import migrate
    from val.settings import load_settings
    settings = load_settings()
    assert (settings.config_dir / "routing.toml").is_file(), settings.config_dir
    migrate.upgrade(settings.effective_database_url)
    from val.app import create_app
    from val.auth.roles import Role
    from val.auth.service import create_credential
    from val.db.session import unit_of_work
    app = create_app()
    with unit_of_work(app.extensions["val"].db) as session:
        key = create_credential(session, name="rms", role=Role.INTAKE, source_systems=["police-rms"])
    body = json.loads(Path(sys.argv[1]).read_text())
    answer = app.test_client().post("/api/v1/referrals", json=body, headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 201, answer.get_json()
    print(answer.get_json()["triage"]["risk_level"])
    """
)


def test_the_wheel_runs_from_anywhere_with_its_own_config(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", wheels, ROOT],
        check=True,
        capture_output=True,
    )
    site = tmp_path / "site"
    wheel = next(wheels.glob("val-*.whl"))
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", site, wheel],
        check=True,
        capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("VAL_")}
    env.update({"PYTHONPATH": str(site), "VAL_DATA_DIR": str(tmp_path / "data")})
    ran = subprocess.run(
        [sys.executable, "-c", CHECK, ROOT / "tests" / "data" / "domain_example.json"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert ran.returncode == 0, ran.stderr[-3000:]
    assert ran.stdout.strip().splitlines()[-1] == "high"
