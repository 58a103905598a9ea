namespace StretchBot.Storage;

public sealed record Migration(int Version, string Name, string Sql);

/// <summary>
/// The schema's history. Append only: a released migration is never edited, because databases in the field
/// already ran it. Times are stored as ISO-8601 UTC text; local dates as yyyy-MM-dd in the person's time zone.
/// </summary>
public static class Migrations
{
    public static readonly IReadOnlyList<Migration> All =
    [
        new(1, "prompts, completions, people", """
            CREATE TABLE prompts (
                id              TEXT PRIMARY KEY,
                tenant_id       TEXT NOT NULL,
                channel_id      TEXT NOT NULL,
                conversation_id TEXT NOT NULL,
                stretch_id      TEXT NOT NULL,
                kind            TEXT NOT NULL,
                requested_by    TEXT NULL,
                created_at      TEXT NOT NULL
            );
            CREATE INDEX ix_prompts_requester ON prompts (tenant_id, requested_by, created_at);

            CREATE TABLE completions (
                id              INTEGER PRIMARY KEY AUTOINCREMENT,
                prompt_id       TEXT NOT NULL,
                tenant_id       TEXT NOT NULL,
                channel_id      TEXT NOT NULL,
                conversation_id TEXT NOT NULL,
                team_id         TEXT NULL,
                user_id         TEXT NOT NULL,
                display_name    TEXT NOT NULL,
                stretch_id      TEXT NOT NULL,
                source          TEXT NOT NULL,
                completed_at    TEXT NOT NULL,
                local_date      TEXT NOT NULL,
                UNIQUE (prompt_id, user_id)
            );
            CREATE INDEX ix_completions_person ON completions (tenant_id, user_id, local_date);

            CREATE TABLE people (
                tenant_id    TEXT NOT NULL,
                user_id      TEXT NOT NULL,
                display_name TEXT NOT NULL,
                first_seen   TEXT NOT NULL,
                PRIMARY KEY (tenant_id, user_id)
            );
            """),
        new(2, "time zones, conversations, leaderboard index", """
            ALTER TABLE people ADD COLUMN time_zone TEXT NULL;
            ALTER TABLE people ADD COLUMN last_seen TEXT NULL;
            UPDATE people SET last_seen = first_seen;

            CREATE TABLE conversations (
                tenant_id       TEXT NOT NULL,
                channel_id      TEXT NOT NULL,
                conversation_id TEXT NOT NULL,
                team_id         TEXT NULL,
                name            TEXT NULL,
                is_group        INTEGER NOT NULL DEFAULT 0,
                first_seen      TEXT NOT NULL,
                last_seen       TEXT NOT NULL,
                PRIMARY KEY (tenant_id, channel_id, conversation_id)
            );
            INSERT OR IGNORE INTO conversations (tenant_id, channel_id, conversation_id, team_id, is_group, first_seen, last_seen)
                SELECT tenant_id, channel_id, conversation_id, MAX(team_id), 0, MIN(completed_at), MAX(completed_at)
                FROM completions GROUP BY tenant_id, channel_id, conversation_id;

            CREATE INDEX ix_completions_conversation ON completions (tenant_id, channel_id, conversation_id, local_date);
            """),
        new(3, "channel installs and posted cards", """
            -- Where the bot is installed, and how to reach it there later (Teams: the conversation reference).
            CREATE TABLE installs (
                tenant_id         TEXT NOT NULL,
                channel_id        TEXT NOT NULL,
                conversation_id   TEXT NOT NULL,
                conversation_type TEXT NULL,
                team_id           TEXT NULL,
                team_name         TEXT NULL,
                name              TEXT NULL,
                service_url       TEXT NOT NULL,
                bot_id            TEXT NOT NULL,
                installed_by      TEXT NULL,
                installed_at      TEXT NOT NULL,
                updated_at        TEXT NOT NULL,
                gone_at           TEXT NULL,
                gone_reason       TEXT NULL,
                PRIMARY KEY (tenant_id, channel_id, conversation_id)
            );

            -- A stretch card as posted, so its shared tally can be updated in place.
            CREATE TABLE card_posts (
                prompt_id       TEXT PRIMARY KEY,
                channel_id      TEXT NOT NULL,
                service_url     TEXT NOT NULL,
                conversation_id TEXT NOT NULL,
                activity_id     TEXT NOT NULL,
                posted_at       TEXT NOT NULL
            );
            """),
        new(4, "weekly tallies per conversation", """
            -- How many stretches each person did in a conversation in one week (weeks start on Monday, by the
            -- person's local date). The Done card's "#2 this week" is then a count of the few rows above one,
            -- instead of a scan and sort of the conversation's whole week on every click. Triggers keep it exact.
            CREATE TABLE week_counts (
                tenant_id       TEXT NOT NULL,
                channel_id      TEXT NOT NULL,
                conversation_id TEXT NOT NULL,
                week_start      TEXT NOT NULL,
                user_id         TEXT NOT NULL,
                n               INTEGER NOT NULL,
                PRIMARY KEY (tenant_id, channel_id, conversation_id, week_start, user_id)
            ) WITHOUT ROWID;
            CREATE INDEX ix_week_counts_rank ON week_counts (tenant_id, channel_id, conversation_id, week_start, n);
            -- The leaderboard reads week_counts too; nothing reads completions by conversation any more.
            DROP INDEX ix_completions_conversation;

            INSERT INTO week_counts (tenant_id, channel_id, conversation_id, week_start, user_id, n)
                SELECT tenant_id, channel_id, conversation_id, date(local_date, '-6 days', 'weekday 1'), user_id, COUNT(*)
                FROM completions GROUP BY 1, 2, 3, 4, 5;

            CREATE TRIGGER completions_count_week AFTER INSERT ON completions
            BEGIN
                INSERT INTO week_counts (tenant_id, channel_id, conversation_id, week_start, user_id, n)
                VALUES (NEW.tenant_id, NEW.channel_id, NEW.conversation_id, date(NEW.local_date, '-6 days', 'weekday 1'), NEW.user_id, 1)
                ON CONFLICT DO UPDATE SET n = n + 1;
            END;

            -- Completions are inserted (ON CONFLICT DO NOTHING) and may be deleted or corrected, never REPLACEd: a
            -- REPLACE deletes without firing the delete trigger while recursive triggers are off.
            CREATE TRIGGER completions_recount_week AFTER UPDATE OF tenant_id, channel_id, conversation_id, user_id, local_date ON completions
            BEGIN
                UPDATE week_counts SET n = n - 1
                WHERE tenant_id = OLD.tenant_id AND channel_id = OLD.channel_id AND conversation_id = OLD.conversation_id
                  AND week_start = date(OLD.local_date, '-6 days', 'weekday 1') AND user_id = OLD.user_id;
                DELETE FROM week_counts
                WHERE tenant_id = OLD.tenant_id AND channel_id = OLD.channel_id AND conversation_id = OLD.conversation_id
                  AND week_start = date(OLD.local_date, '-6 days', 'weekday 1') AND user_id = OLD.user_id AND n <= 0;
                INSERT INTO week_counts (tenant_id, channel_id, conversation_id, week_start, user_id, n)
                VALUES (NEW.tenant_id, NEW.channel_id, NEW.conversation_id, date(NEW.local_date, '-6 days', 'weekday 1'), NEW.user_id, 1)
                ON CONFLICT DO UPDATE SET n = n + 1;
            END;

            CREATE TRIGGER completions_uncount_week AFTER DELETE ON completions
            BEGIN
                UPDATE week_counts SET n = n - 1
                WHERE tenant_id = OLD.tenant_id AND channel_id = OLD.channel_id AND conversation_id = OLD.conversation_id
                  AND week_start = date(OLD.local_date, '-6 days', 'weekday 1') AND user_id = OLD.user_id;
                DELETE FROM week_counts
                WHERE tenant_id = OLD.tenant_id AND channel_id = OLD.channel_id AND conversation_id = OLD.conversation_id
                  AND week_start = date(OLD.local_date, '-6 days', 'weekday 1') AND user_id = OLD.user_id AND n <= 0;
            END;
            """),
        new(5, "channel references are the adapter's own data", """
            -- How to reach a conversation (and a posted card) is each channel adapter's opaque JSON, not columns of
            -- one platform in the core schema. Teams rows carry on with the same serviceUrl, bot and ids.
            ALTER TABLE installs ADD COLUMN reference TEXT NOT NULL DEFAULT '';
            UPDATE installs SET reference = json_object('serviceUrl', service_url, 'botId', bot_id, 'conversationId', conversation_id);
            ALTER TABLE installs DROP COLUMN service_url;
            ALTER TABLE installs DROP COLUMN bot_id;

            ALTER TABLE card_posts ADD COLUMN tenant_id TEXT NOT NULL DEFAULT '';
            ALTER TABLE card_posts ADD COLUMN reference TEXT NOT NULL DEFAULT '';
            UPDATE card_posts SET
                tenant_id = COALESCE((SELECT p.tenant_id FROM prompts p WHERE p.id = card_posts.prompt_id), ''),
                reference = json_object('serviceUrl', service_url, 'conversationId', conversation_id, 'activityId', activity_id),
                conversation_id = CASE WHEN instr(conversation_id, ';messageid=') > 0
                                       THEN substr(conversation_id, 1, instr(conversation_id, ';messageid=') - 1)
                                       ELSE conversation_id END;
            ALTER TABLE card_posts DROP COLUMN service_url;
            ALTER TABLE card_posts DROP COLUMN activity_id;

            -- One encoding of a prompt's kind: completions.source said 'prompt' where prompts.kind says 'scheduled'.
            UPDATE completions SET source = 'scheduled' WHERE source = 'prompt';

            -- The local playground is its own channel ('local'), no longer 'directline': Direct Line through Azure is a
            -- Bot Framework channel like any other. Completions first: their triggers move the weekly tallies along.
            UPDATE completions SET channel_id = 'local' WHERE tenant_id = 'local' AND channel_id = 'directline';
            UPDATE prompts SET channel_id = 'local' WHERE tenant_id = 'local' AND channel_id = 'directline';
            UPDATE conversations SET channel_id = 'local' WHERE tenant_id = 'local' AND channel_id = 'directline';
            UPDATE installs SET channel_id = 'local' WHERE tenant_id = 'local' AND channel_id = 'directline';
            UPDATE card_posts SET channel_id = 'local' WHERE tenant_id = 'local' AND channel_id = 'directline';
            """),
        new(6, "schedules, nudge deliveries, walkthrough progress", """
            -- A conversation's schedule and its settings (one row per conversation; a personal reminder is a row of
            -- its 1:1 chat with owner_id = the person). The settings outlive "schedule off": spec is then NULL.
            -- Quartz keeps the triggers (QRTZ_*, one job per row, its triggers named "{id}/n"); this table is the truth
            -- they are rebuilt from.
            CREATE TABLE schedules (
                id              TEXT PRIMARY KEY,
                tenant_id       TEXT NOT NULL,
                channel_id      TEXT NOT NULL,
                conversation_id TEXT NOT NULL,
                owner_id        TEXT NOT NULL DEFAULT '',
                spec            TEXT NULL,
                time_zone       TEXT NULL,
                setter_zone     TEXT NULL,
                stretch_kinds   TEXT NOT NULL DEFAULT 'desk',
                jitter_minutes  INTEGER NOT NULL DEFAULT 0,
                paused_until    TEXT NULL,
                pause_reason    TEXT NULL,
                stopped_at      TEXT NULL,
                stopped_reason  TEXT NULL,
                set_by          TEXT NULL,
                created_at      TEXT NOT NULL,
                updated_at      TEXT NOT NULL,
                -- Bumped by every write: a change saves only over the version it read (see ScheduleStore.SaveAsync).
                version         INTEGER NOT NULL DEFAULT 1,
                UNIQUE (tenant_id, channel_id, conversation_id, owner_id)
            );

            CREATE TABLE schedule_holidays (
                schedule_id TEXT NOT NULL,
                day         TEXT NOT NULL,
                PRIMARY KEY (schedule_id, day)
            ) WITHOUT ROWID;

            -- One row per nudge (a schedule's fire time, or a person's "Later"): the durable record a restarted
            -- instance resumes from. UNIQUE (source, fire_time): a fire time is never delivered twice. status is
            -- pending, sent (message_id), failed or skipped (reason); attempts counts posts begun, so a pending row
            -- with attempts > 0 at start-up was on the wire when the last instance stopped.
            CREATE TABLE deliveries (
                id              INTEGER PRIMARY KEY AUTOINCREMENT,
                source          TEXT NOT NULL,
                fire_time       TEXT NOT NULL,
                kind            TEXT NOT NULL,
                tenant_id       TEXT NOT NULL,
                channel_id      TEXT NOT NULL,
                conversation_id TEXT NOT NULL,
                user_id         TEXT NULL,
                user_name       TEXT NULL,
                prompt_id       TEXT NULL,
                due_at          TEXT NOT NULL,
                status          TEXT NOT NULL,
                reason          TEXT NULL,
                message_id      TEXT NULL,
                attempts        INTEGER NOT NULL DEFAULT 0,
                created_at      TEXT NOT NULL,
                updated_at      TEXT NOT NULL,
                UNIQUE (source, fire_time)
            );
            CREATE INDEX ix_deliveries_pending ON deliveries (status, due_at);
            CREATE INDEX ix_deliveries_conversation ON deliveries (tenant_id, channel_id, conversation_id, created_at);

            -- Where each person is in a shared card's walkthrough, so a re-sent card never puts them back to step 1.
            CREATE TABLE walkthroughs (
                prompt_id  TEXT NOT NULL,
                user_id    TEXT NOT NULL,
                step       INTEGER NOT NULL,
                updated_at TEXT NOT NULL,
                PRIMARY KEY (prompt_id, user_id)
            ) WITHOUT ROWID;
            """),
        new(7, "slack workspaces and oauth states", """
            -- A Slack install: one workspace (team) or, for an org-wide install, one organisation (enterprise). The bot
            -- token is encrypted by the app (ASP.NET Core Data Protection) before it is written here.
            CREATE TABLE slack_workspaces (
                tenant_id          TEXT PRIMARY KEY,
                team_id            TEXT NULL,
                enterprise_id      TEXT NULL,
                team_name          TEXT NULL,
                is_enterprise      INTEGER NOT NULL,
                bot_token          TEXT NOT NULL,
                bot_user_id        TEXT NOT NULL,
                bot_id             TEXT NULL,
                app_id             TEXT NULL,
                scopes             TEXT NULL,
                installed_by       TEXT NULL,
                installed_at       TEXT NOT NULL
            );

            -- The state of an OAuth install under way: made at /slack/install, used once at the callback.
            CREATE TABLE slack_oauth_states (
                state      TEXT PRIMARY KEY,
                created_at TEXT NOT NULL
            ) WITHOUT ROWID;
            """),
    ];
}
