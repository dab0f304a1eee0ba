namespace Propeller.Manager.Storage.Sqlite;

/// <summary>
/// The schema as numbered steps; step N brings a database to version N. Append new steps, never edit applied
/// ones: a manager upgrade runs the missing steps at start.
/// </summary>
internal static class SqliteMigrations
{
    public static IReadOnlyList<string> Steps { get; } =
    [
        // 1: tasks, proplets, the task→proplet map and metrics (manager-reference §8.2), with the schedule,
        // priority and HAL columns upstream lacks, and the proplet's offline flag and last heartbeat time.
        """
        CREATE TABLE tasks (
            id                 TEXT PRIMARY KEY NOT NULL,
            name               TEXT NOT NULL,
            kind               TEXT,
            state              INTEGER NOT NULL DEFAULT 0,
            image_url          TEXT,
            file               BLOB,
            cli_args           TEXT,
            inputs             TEXT,
            env                TEXT,
            daemon             INTEGER NOT NULL DEFAULT 0,
            latent             INTEGER NOT NULL DEFAULT 0,
            encrypted          INTEGER NOT NULL DEFAULT 0,
            kbs_resource_path  TEXT,
            proplet_id         TEXT,
            depends_on         TEXT,
            run_if             TEXT,
            workflow_id        TEXT,
            job_id             TEXT,
            results            TEXT,
            error              TEXT,
            monitoring_profile TEXT,
            start_time         TEXT NOT NULL,
            finish_time        TEXT NOT NULL,
            created_at         TEXT NOT NULL,
            updated_at         TEXT NOT NULL,
            mode               TEXT,
            schedule           TEXT,
            next_run           TEXT NOT NULL,
            is_recurring       INTEGER NOT NULL DEFAULT 0,
            timezone           TEXT,
            broadcast          INTEGER NOT NULL DEFAULT 0,
            priority           INTEGER NOT NULL DEFAULT 0,
            metadata           TEXT,
            hal_storage_path   TEXT
        );
        CREATE INDEX idx_tasks_state ON tasks (state);
        CREATE INDEX idx_tasks_proplet_id ON tasks (proplet_id);
        CREATE INDEX idx_tasks_created_at ON tasks (created_at DESC, id);
        CREATE INDEX idx_tasks_workflow_id ON tasks (workflow_id);
        CREATE INDEX idx_tasks_job_id ON tasks (job_id);

        CREATE TABLE proplets (
            id            TEXT PRIMARY KEY NOT NULL,
            name          TEXT NOT NULL,
            task_count    INTEGER NOT NULL DEFAULT 0,
            alive_history TEXT NOT NULL DEFAULT '[]',
            last_alive_at TEXT,
            offline       INTEGER NOT NULL DEFAULT 0,
            metadata      TEXT
        );
        CREATE INDEX idx_proplets_last_alive_at ON proplets (last_alive_at);

        CREATE TABLE task_proplets (
            task_id    TEXT PRIMARY KEY NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
            proplet_id TEXT NOT NULL REFERENCES proplets (id) ON DELETE CASCADE,
            created_at TEXT NOT NULL
        );
        CREATE INDEX idx_task_proplets_proplet_id ON task_proplets (proplet_id);

        CREATE TABLE task_metrics (
            id         TEXT PRIMARY KEY NOT NULL,
            task_id    TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
            proplet_id TEXT NOT NULL,
            metrics    TEXT NOT NULL,
            aggregated TEXT,
            timestamp  TEXT NOT NULL
        );
        CREATE INDEX idx_task_metrics_task_id_timestamp ON task_metrics (task_id, timestamp DESC);
        CREATE INDEX idx_task_metrics_timestamp ON task_metrics (timestamp DESC);

        CREATE TABLE proplet_metrics (
            id             TEXT PRIMARY KEY NOT NULL,
            proplet_id     TEXT NOT NULL REFERENCES proplets (id) ON DELETE CASCADE,
            namespace      TEXT,
            cpu_metrics    TEXT NOT NULL,
            memory_metrics TEXT NOT NULL,
            timestamp      TEXT NOT NULL
        );
        CREATE INDEX idx_proplet_metrics_proplet_id_timestamp ON proplet_metrics (proplet_id, timestamp DESC);
        CREATE INDEX idx_proplet_metrics_timestamp ON proplet_metrics (timestamp DESC);
        """,

        // 2: jobs (a named group of tasks; tasks point to a job through job_id).
        """
        CREATE TABLE jobs (
            id             TEXT PRIMARY KEY NOT NULL,
            name           TEXT NOT NULL DEFAULT '',
            execution_mode TEXT NOT NULL DEFAULT '',
            created_at     TEXT NOT NULL,
            updated_at     TEXT NOT NULL
        );
        CREATE INDEX idx_jobs_created_at ON jobs (created_at DESC, id);
        """,

        // 3: placement requirements and the retry policy (JSON text), and the run counter of re-placed tasks.
        """
        ALTER TABLE tasks ADD COLUMN requirements TEXT;
        ALTER TABLE tasks ADD COLUMN retry TEXT;
        ALTER TABLE tasks ADD COLUMN attempt INTEGER NOT NULL DEFAULT 0;
        """,
    ];
}
