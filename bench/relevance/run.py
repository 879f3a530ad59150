"""`make bench-relevance`: the judged queries (judgements.toml) against the reference and demo
data in a fresh data directory, with the configured search backend (KDE_SEARCH_BACKEND; the
database is KDE_DATABASE_URL's, or a fresh SQLite file). Prints MRR, recall@10 and every query
that failed with what came instead; exits 1 below the floor (MRR 0.85, recall@10 0.95)."""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

FLOOR_MRR = 0.85
FLOOR_RECALL = 0.95


def main() -> int:
    from flask_migrate import upgrade

    from kde_community import create_app
    from kde_community.demo import load_demo
    from kde_community.extensions import db
    from kde_community.reference import load_reference
    from kde_community.search import relevance, services

    with tempfile.TemporaryDirectory(prefix="kde-relevance-") as data_dir:
        config = {"KDE_DATA_DIR": data_dir}
        if not os.environ.get("KDE_DATABASE_URL"):
            config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(data_dir) / 'kde.sqlite3'}"
        app = create_app(config)
        with app.app_context():
            logging.disable(logging.INFO)  # the migrations list themselves
            upgrade()
            load_reference()
            load_demo()
            db.session.commit()
            services.reindex()
            report = relevance.evaluate()
            print(report.text())
    return 0 if report.mrr >= FLOOR_MRR and report.recall >= FLOOR_RECALL else 1


if __name__ == "__main__":
    sys.exit(main())
