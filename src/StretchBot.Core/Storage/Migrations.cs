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
    ];
}
