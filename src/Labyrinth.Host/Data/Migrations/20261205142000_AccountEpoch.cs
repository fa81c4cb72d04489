using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Labyrinth.Host.Data.Migrations
{
    /// <summary>
    /// A one-row counter that every write to Users (and every sign-out, a row in RevokedSessions)
    /// bumps in the same transaction, whoever the writer is (the host, the CLI, sqlite3): the
    /// session cache's proof that no account changed. Not in the EF model: only the session
    /// check and sign-out use them, with raw statements.
    /// </summary>
    public partial class AccountEpoch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""CREATE TABLE "AccountEpoch" ("Id" INTEGER NOT NULL PRIMARY KEY CHECK ("Id" = 1), "Value" INTEGER NOT NULL);""");
            migrationBuilder.Sql("""INSERT INTO "AccountEpoch" ("Id", "Value") VALUES (1, 0);""");
            migrationBuilder.Sql("""CREATE TRIGGER "Users_AccountEpoch_Insert" AFTER INSERT ON "Users" BEGIN UPDATE "AccountEpoch" SET "Value" = "Value" + 1 WHERE "Id" = 1; END;""");
            migrationBuilder.Sql("""CREATE TRIGGER "Users_AccountEpoch_Update" AFTER UPDATE ON "Users" BEGIN UPDATE "AccountEpoch" SET "Value" = "Value" + 1 WHERE "Id" = 1; END;""");
            migrationBuilder.Sql("""CREATE TRIGGER "Users_AccountEpoch_Delete" AFTER DELETE ON "Users" BEGIN UPDATE "AccountEpoch" SET "Value" = "Value" + 1 WHERE "Id" = 1; END;""");
            migrationBuilder.Sql("""CREATE TABLE "RevokedSessions" ("SessionId" TEXT NOT NULL PRIMARY KEY, "UserId" TEXT NOT NULL, "ExpiresAt" INTEGER NOT NULL);""");
            migrationBuilder.Sql("""CREATE INDEX "IX_RevokedSessions_UserId" ON "RevokedSessions" ("UserId");""");
            migrationBuilder.Sql("""CREATE TRIGGER "RevokedSessions_AccountEpoch_Insert" AFTER INSERT ON "RevokedSessions" BEGIN UPDATE "AccountEpoch" SET "Value" = "Value" + 1 WHERE "Id" = 1; END;""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TABLE "RevokedSessions";""");
            migrationBuilder.Sql("""DROP TRIGGER "Users_AccountEpoch_Delete";""");
            migrationBuilder.Sql("""DROP TRIGGER "Users_AccountEpoch_Update";""");
            migrationBuilder.Sql("""DROP TRIGGER "Users_AccountEpoch_Insert";""");
            migrationBuilder.Sql("""DROP TABLE "AccountEpoch";""");
        }
    }
}
