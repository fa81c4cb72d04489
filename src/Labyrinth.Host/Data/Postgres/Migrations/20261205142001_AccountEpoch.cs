using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Labyrinth.Host.Data.Postgres.Migrations
{
    /// <summary>
    /// A one-row counter that every write to Users (and every sign-out, a row in RevokedSessions)
    /// bumps in the same transaction, whoever the writer is (any instance, the CLI, psql): the
    /// session cache's proof that no account changed. Not in the EF model: only the session
    /// check and sign-out use them, with raw statements.
    /// </summary>
    public partial class AccountEpoch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""CREATE TABLE "AccountEpoch" ("Id" integer NOT NULL PRIMARY KEY CHECK ("Id" = 1), "Value" bigint NOT NULL);""");
            migrationBuilder.Sql("""INSERT INTO "AccountEpoch" ("Id", "Value") VALUES (1, 0);""");
            migrationBuilder.Sql("""
                CREATE FUNCTION "Users_AccountEpoch_Bump"() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  UPDATE "AccountEpoch" SET "Value" = "Value" + 1 WHERE "Id" = 1;
                  RETURN NULL;
                END
                $$;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "Users_AccountEpoch" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "Users"
                FOR EACH STATEMENT EXECUTE FUNCTION "Users_AccountEpoch_Bump"();
                """);
            migrationBuilder.Sql("""CREATE TABLE "RevokedSessions" ("SessionId" text NOT NULL PRIMARY KEY, "UserId" text NOT NULL, "ExpiresAt" bigint NOT NULL);""");
            migrationBuilder.Sql("""CREATE INDEX "IX_RevokedSessions_UserId" ON "RevokedSessions" ("UserId");""");
            migrationBuilder.Sql("""
                CREATE TRIGGER "RevokedSessions_AccountEpoch" AFTER INSERT ON "RevokedSessions"
                FOR EACH STATEMENT EXECUTE FUNCTION "Users_AccountEpoch_Bump"();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TABLE "RevokedSessions";""");
            migrationBuilder.Sql("""DROP TRIGGER "Users_AccountEpoch" ON "Users";""");
            migrationBuilder.Sql("""DROP FUNCTION "Users_AccountEpoch_Bump"();""");
            migrationBuilder.Sql("""DROP TABLE "AccountEpoch";""");
        }
    }
}
