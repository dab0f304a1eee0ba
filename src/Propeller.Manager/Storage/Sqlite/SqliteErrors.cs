using Microsoft.Data.Sqlite;

namespace Propeller.Manager.Storage.Sqlite;

internal static class SqliteErrors
{
    private const int ForeignKeyConstraint = 787; // SQLITE_CONSTRAINT_FOREIGNKEY

    public static bool IsForeignKeyViolation(SqliteException exception) => exception.SqliteExtendedErrorCode == ForeignKeyConstraint;
}
