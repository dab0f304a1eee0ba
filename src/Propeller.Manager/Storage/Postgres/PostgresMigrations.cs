namespace Propeller.Manager.Storage.Postgres;

/// <summary>
/// The schema as numbered steps; step N brings a database to version N. Append new steps, never edit applied
/// ones: a manager upgrade runs the missing steps at start. Ids and times are <c>COLLATE "C"</c> so that ordering
/// is by bytes, as in SQLite and memory, whatever locale the database was created with.
/// </summary>
internal static class PostgresMigrations
{
    public static IReadOnlyList<string> Steps { get; } =
    [
        // 1: tasks, proplets, the task→proplet map, metrics and jobs (manager-reference §8.2), with the schedule,
        // priority, HAL, placement requirements, retry policy and attempt columns upstream lacks, and the proplet's
        // offline flag and last heartbeat time.
        """
        CREATE TABLE tasks (
            id                 TEXT COLLATE "C" PRIMARY KEY,
            name               TEXT NOT NULL,
            kind               TEXT,
            state              INTEGER NOT NULL DEFAULT 0,
            image_url          TEXT,
            file               BYTEA,
            cli_args           JSONB,
            inputs             JSONB,
            env                JSONB,
            daemon             BOOLEAN NOT NULL DEFAULT FALSE,
            latent             BOOLEAN NOT NULL DEFAULT FALSE,
            encrypted          BOOLEAN NOT NULL DEFAULT FALSE,
            kbs_resource_path  TEXT,
            proplet_id         TEXT COLLATE "C",
            depends_on         JSONB,
            run_if             TEXT,
            workflow_id        TEXT COLLATE "C",
            job_id             TEXT COLLATE "C",
            results            JSON,
            error              TEXT,
            monitoring_profile JSONB,
            start_time         TEXT COLLATE "C" NOT NULL,
            finish_time        TEXT COLLATE "C" NOT NULL,
            created_at         TEXT COLLATE "C" NOT NULL,
            updated_at         TEXT COLLATE "C" NOT NULL,
            mode               TEXT,
            schedule           TEXT,
            next_run           TEXT COLLATE "C" NOT NULL,
            is_recurring       BOOLEAN NOT NULL DEFAULT FALSE,
            timezone           TEXT,
            broadcast          BOOLEAN NOT NULL DEFAULT FALSE,
            priority           INTEGER NOT NULL DEFAULT 0,
            metadata           JSONB,
            hal_storage_path   TEXT,
            requirements       JSONB,
            retry              JSONB,
            attempt            INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX idx_tasks_state ON tasks (state);
        CREATE INDEX idx_tasks_proplet_id ON tasks (proplet_id);
        CREATE INDEX idx_tasks_created_at ON tasks (created_at DESC, id);
        CREATE INDEX idx_tasks_workflow_id ON tasks (workflow_id);
        CREATE INDEX idx_tasks_job_id ON tasks (job_id);
        CREATE INDEX idx_tasks_metadata ON tasks USING GIN (metadata);

        CREATE TABLE proplets (
            id            TEXT COLLATE "C" PRIMARY KEY,
            name          TEXT NOT NULL,
            task_count    BIGINT NOT NULL DEFAULT 0,
            alive_history JSONB NOT NULL DEFAULT '[]',
            last_alive_at TEXT COLLATE "C",
            offline       BOOLEAN NOT NULL DEFAULT FALSE,
            metadata      JSONB
        );
        CREATE INDEX idx_proplets_last_alive_at ON proplets (last_alive_at);

        CREATE TABLE task_proplets (
            task_id    TEXT COLLATE "C" PRIMARY KEY,
            proplet_id TEXT COLLATE "C" NOT NULL,
            created_at TEXT COLLATE "C" NOT NULL,
            CONSTRAINT task_proplets_task_fk FOREIGN KEY (task_id) REFERENCES tasks (id) ON DELETE CASCADE,
            CONSTRAINT task_proplets_proplet_fk FOREIGN KEY (proplet_id) REFERENCES proplets (id) ON DELETE CASCADE
        );
        CREATE INDEX idx_task_proplets_proplet_id ON task_proplets (proplet_id);

        CREATE TABLE task_metrics (
            id         TEXT COLLATE "C" PRIMARY KEY,
            task_id    TEXT COLLATE "C" NOT NULL,
            proplet_id TEXT NOT NULL,
            metrics    JSONB NOT NULL,
            aggregated JSONB,
            timestamp  TEXT COLLATE "C" NOT NULL,
            CONSTRAINT task_metrics_task_fk FOREIGN KEY (task_id) REFERENCES tasks (id) ON DELETE CASCADE
        );
        CREATE INDEX idx_task_metrics_task_id_timestamp ON task_metrics (task_id, timestamp DESC);
        CREATE INDEX idx_task_metrics_timestamp ON task_metrics (timestamp DESC);

        CREATE TABLE proplet_metrics (
            id             TEXT COLLATE "C" PRIMARY KEY,
            proplet_id     TEXT COLLATE "C" NOT NULL,
            namespace      TEXT,
            cpu_metrics    JSONB NOT NULL,
            memory_metrics JSONB NOT NULL,
            timestamp      TEXT COLLATE "C" NOT NULL,
            CONSTRAINT proplet_metrics_proplet_fk FOREIGN KEY (proplet_id) REFERENCES proplets (id) ON DELETE CASCADE
        );
        CREATE INDEX idx_proplet_metrics_proplet_id_timestamp ON proplet_metrics (proplet_id, timestamp DESC);
        CREATE INDEX idx_proplet_metrics_timestamp ON proplet_metrics (timestamp DESC);

        CREATE TABLE jobs (
            id             TEXT COLLATE "C" PRIMARY KEY,
            name           TEXT NOT NULL DEFAULT '',
            execution_mode TEXT NOT NULL DEFAULT '',
            created_at     TEXT COLLATE "C" NOT NULL,
            updated_at     TEXT COLLATE "C" NOT NULL
        );
        CREATE INDEX idx_jobs_created_at ON jobs (created_at DESC, id);
        """,
    ];
}
