"""JupyterHub for the course on one server: local Unix accounts, logged in with their
passwords (PAM), each user's JupyterLab started as that user (LocalProcessSpawner), with
nbgrader's extensions: the Assignment List for everyone, the formgrader for instructors.

    sudo /opt/nn-course/bin/jupyterhub -f /etc/jupyterhub/jupyterhub_config.py

deploy/README.md gives the whole set-up (the environment, the exchange, the accounts, TLS).
Edit the two lists below, or add users in JupyterHub's admin page.
"""

import sys
from pathlib import Path

c = get_config()  # noqa: F821  (JupyterHub provides get_config)

COURSE_ID = "nn-from-scratch"  # as in the course directory's nbgrader_config.py
INSTRUCTORS = ["instructor"]  # Unix accounts that grade (each with ~/course, README)
STUDENTS = []  # Unix accounts of the class

# The course's environment: the one this hub runs from (pip install of the course + jupyterhub).
ENV = Path(sys.prefix)

# Behind a TLS-terminating reverse proxy (nginx, Caddy) on the same machine; never expose plain
# HTTP. configurable-http-proxy (npm) listens here and forwards to the hub and the users' servers.
c.JupyterHub.bind_url = "http://127.0.0.1:8000"
c.JupyterHub.hub_ip = "127.0.0.1"

# Local Unix users, with their system passwords.
c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allowed_users = set(INSTRUCTORS + STUDENTS)
c.Authenticator.admin_users = set(INSTRUCTORS)

# Each user's server runs as their own Unix account (nbgrader's exchange tells students apart by
# user id), in their home folder, with the course's environment first on PATH.
c.JupyterHub.spawner_class = "jupyterhub.spawner.LocalProcessSpawner"
c.Spawner.cmd = [str(ENV / "bin" / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.environment = {"PATH": f"{ENV / 'bin'}:/usr/local/bin:/usr/bin:/bin"}
c.Spawner.http_timeout = 120  # the first JupyterLab start on a busy server takes a while

# nbgrader's groups ("Using nbgrader with JupyterHub"): instructors in formgrade-<course>,
# students in nbgrader-<course>.
c.JupyterHub.load_groups = {f"formgrade-{COURSE_ID}": INSTRUCTORS, f"nbgrader-{COURSE_ID}": STUDENTS}

# The hub's own files.
c.JupyterHub.cookie_secret_file = "/srv/jupyterhub/jupyterhub_cookie_secret"
c.JupyterHub.db_url = "sqlite:////srv/jupyterhub/jupyterhub.sqlite"
c.ConfigurableHTTPProxy.pid_file = "/srv/jupyterhub/jupyterhub-proxy.pid"
