"""On a Dask cluster (a LocalCluster of two worker processes on the loopback): ``rnn-theory verify``,
the learning experiment and the figures give the local run's bytes, a ``distributed.Client`` is an
``executor=`` like any other, and a worker killed mid-run costs only its tasks. Skipped without
dask.distributed (the extra ``cluster``; the ``test`` extra installs it)."""

import os
import signal
import threading
import time

import pytest

from rnn_theory import claims, parallel
from rnn_theory.cli import main as cli
from rnn_theory.training import experiment

distributed = pytest.importorskip("distributed")

QUICK_CLAIMS = (  # claims whose quick checks take a fraction of a second, with sweeps, and the learning claim
    "olah2015.gru-simpler",
    "feng2024.diagonal-jacobian",
    "li2018.regulated-gradient",
    "goodfellow2016.ten-to-twenty-steps",
)


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None, host="127.0.0.1"
        ) as cluster,
        distributed.Client(cluster, set_as_default=False) as client,
    ):
        yield client


def tree(folder):
    """Every file under ``folder`` but the runs' CPU timings, which differ from run to run."""
    return {
        os.path.relpath(os.path.join(d, f), folder): open(os.path.join(d, f), "rb").read()
        for d, _, files in os.walk(folder)
        for f in files
        if f != "cpu_seconds.tsv"
    }


def test_verify_on_the_cluster_writes_the_local_json(client, tmp_path, capsys):
    address = client.scheduler.address
    for only, name in ((QUICK_CLAIMS, "some"), (QUICK_CLAIMS[2:3], "one")):  # whole claims; one claim's sweep
        local, remote = tmp_path / f"{name}-local.json", tmp_path / f"{name}-cluster.json"
        assert cli(["verify", "--quick", "--workers", "0", "--only", *only, "--json", str(local)]) == 0
        assert cli(["verify", "--quick", "--scheduler", address, "--only", *only, "--json", str(remote)]) == 0
        assert remote.read_bytes() == local.read_bytes()
    capsys.readouterr()


def test_claims_verify_takes_a_client_as_executor(client):
    local = claims.verify(QUICK_CLAIMS[:2], quick=True)
    remote = claims.verify(QUICK_CLAIMS[:2], quick=True, executor=client)
    assert [r.to_dict() for r in remote] == [r.to_dict() for r in local]
    single = claims.verify(QUICK_CLAIMS[2:3], quick=True, executor=client)  # its sweep on the workers
    assert single[0].to_dict() == claims.verify(QUICK_CLAIMS[2:3], quick=True)[0].to_dict()


def test_experiment_on_the_cluster_writes_the_bytes_of_one_process(client, tmp_path, monkeypatch, capsys):
    """``--scheduler`` and, without it, ``$DASK_SCHEDULER_ADDRESS``."""
    local, remote, by_variable = (str(tmp_path / name) for name in ("local", "cluster", "variable"))
    common = ["--protocol", "bengio1994_sgd", "--protocol", "hs1997_adding", "--quick"]
    assert experiment.main([*common, "--jobs", "1", "--out", local]) == 0
    assert experiment.main([*common, "--scheduler", client.scheduler.address, "--out", remote]) == 0
    monkeypatch.setenv(parallel.SCHEDULER_VARIABLE, client.scheduler.address)
    assert experiment.main([*common, "--jobs", "1", "--out", by_variable]) == 0
    assert tree(remote) == tree(local) == tree(by_variable)
    assert "checkpoints/adding-lstm_nofg-lag50-seed0.npz" in tree(local)
    capsys.readouterr()


@pytest.mark.slow
def test_figures_on_the_cluster_are_the_local_bytes(client, tmp_path):
    """One figure rendered on a worker and in a local pool (about 15 s: matplotlib in two new processes)."""
    from rnn_theory.plots import generate

    only = ["lag_task_success"]
    local = generate(str(tmp_path / "local"), only, jobs=1)["lag_task_success"]
    remote = generate(str(tmp_path / "cluster"), only, executor=client)["lag_task_success"]
    assert [open(path, "rb").read() for path in remote] == [open(path, "rb").read() for path in local]


def test_a_worker_killed_mid_run_costs_only_its_runs(client, tmp_path, capsys):
    """When the first run has come back (its file is kept), a worker busy with others is killed;
    the scheduler reruns its runs elsewhere and the experiment writes the same bytes."""
    out, local = tmp_path / "cluster", str(tmp_path / "local")
    common = ["--protocol", "bengio1994_sgd", "--quick", "--seeds", "8"]
    killed = []

    def kill_after_first_run():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not killed:
            kept = [f for d, _, files in os.walk(out / "runs") for f in files if f.endswith(".json")]
            busy = [address for address, keys in client.processing().items() if keys]
            if kept and busy:
                pid = client.run(os.getpid, workers=busy[:1])[busy[0]]
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            time.sleep(0.01)

    killer = threading.Thread(target=kill_after_first_run)
    killer.start()
    try:
        assert experiment.main([*common, "--scheduler", client.scheduler.address, "--out", str(out)]) == 0
    finally:
        killer.join()
    assert killed, "no worker was busy after the first run came back"
    assert killed[0] not in client.run(os.getpid).values()  # that process is gone
    assert experiment.main([*common, "--jobs", "1", "--out", local]) == 0
    assert tree(out) == tree(local)
    capsys.readouterr()


def test_an_interrupted_run_resumes_from_its_kept_runs(client, tmp_path, capsys):
    """Kept runs are read back, whichever cluster (or this process) trained them: removing half of
    them and rerunning on the cluster trains only those, with the same bytes."""
    out = tmp_path / "out"
    common = ["--protocol", "bengio1994_sgd", "--quick", "--out", str(out)]
    assert experiment.main([*common, "--jobs", "1"]) == 0
    before = tree(out)
    kept = sorted(os.path.join(d, f) for d, _, files in os.walk(out / "runs") for f in files if f.startswith("table-"))
    for path in kept[::2]:
        os.remove(path)
    os.remove(out / "bengio1994_sgd.json")
    assert experiment.main([*common, "--scheduler", client.scheduler.address]) == 0
    assert tree(out) == before
    trained = (next((out / "runs").iterdir()) / "cpu_seconds.tsv").read_text().splitlines()
    runs = {os.path.splitext(os.path.basename(path))[0] for path in before if path.startswith("runs")}
    removed = {os.path.splitext(os.path.basename(path))[0] for path in kept[::2]}
    # every run once, then again each run one of whose files was removed (a kept run's weights as well as a log)
    assert len(trained) == len(runs) + len(removed)
    capsys.readouterr()


def test_anything_else_is_not_an_executor_and_a_missing_cluster_is_one_line(monkeypatch, capsys):
    with pytest.raises(TypeError, match="distributed.Client"):
        parallel.as_executor("tcp://127.0.0.1:8786")
    monkeypatch.setitem(__import__("sys").modules, "distributed", None)  # as if it were not installed
    assert cli(["verify", "--quick", "--only", QUICK_CLAIMS[0], "--scheduler", "tcp://127.0.0.1:8786"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "rnn-theory[cluster]" in err
