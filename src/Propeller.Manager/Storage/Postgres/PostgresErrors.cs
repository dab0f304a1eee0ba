using Npgsql;

namespace Propeller.Manager.Storage.Postgres;

internal static class PostgresErrors
{
    /// <summary>SQLSTATE 23503: a row names a parent that does not exist.</summary>
    public static bool IsForeignKeyViolation(PostgresException exception, string constraint) =>
        exception.SqlState == PostgresErrorCodes.ForeignKeyViolation && exception.ConstraintName == constraint;

    /// <summary>
    /// SQLSTATE 22021 (a NUL byte in text) or 22P05 (<c>\u0000</c> in JSONB): values SQLite and memory keep but
    /// PostgreSQL cannot hold. Bad input, not a fault: the API answers 400.
    /// </summary>
    public static bool IsNulCharacter(PostgresException exception) =>
        exception.SqlState is PostgresErrorCodes.CharacterNotInRepertoire or PostgresErrorCodes.UntranslatableCharacter;

    public static InvalidDataException NulCharacter(PostgresException exception) =>
        new("PostgreSQL storage cannot hold the character U+0000 (NUL) in text or JSON", exception);
}
