using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable
#pragma warning disable CA1861 // generated code: the arrays run once per migration

namespace Labyrinth.Host.Data.Migrations
{
    /// <inheritdoc />
    public partial class InkStrokesAndSharedSelections : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "InkBoards",
                columns: table => new
                {
                    BoardId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Revision = table.Column<long>(type: "INTEGER", nullable: false),
                    LiveStrokes = table.Column<int>(type: "INTEGER", nullable: false),
                    NextSeq = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InkBoards", x => x.BoardId);
                });

            migrationBuilder.CreateTable(
                name: "InkStrokes",
                columns: table => new
                {
                    BoardId = table.Column<Guid>(type: "TEXT", nullable: false),
                    StrokeId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Seq = table.Column<long>(type: "INTEGER", nullable: false),
                    Color = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Width = table.Column<double>(type: "REAL", nullable: false),
                    PointCount = table.Column<int>(type: "INTEGER", nullable: false),
                    Points = table.Column<byte[]>(type: "BLOB", nullable: false),
                    MinX = table.Column<double>(type: "REAL", nullable: false),
                    MinY = table.Column<double>(type: "REAL", nullable: false),
                    MaxX = table.Column<double>(type: "REAL", nullable: false),
                    MaxY = table.Column<double>(type: "REAL", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ErasedBy = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    ErasedAt = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InkStrokes", x => new { x.BoardId, x.StrokeId });
                });

            migrationBuilder.CreateTable(
                name: "SharedSelections",
                columns: table => new
                {
                    BoardId = table.Column<Guid>(type: "TEXT", nullable: false),
                    WindowId = table.Column<string>(type: "TEXT", nullable: false),
                    SelectionId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    UserId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Width = table.Column<double>(type: "REAL", nullable: false),
                    Height = table.Column<double>(type: "REAL", nullable: false),
                    StrokeCount = table.Column<int>(type: "INTEGER", nullable: false),
                    PointCount = table.Column<int>(type: "INTEGER", nullable: false),
                    StrokesJson = table.Column<string>(type: "TEXT", nullable: false),
                    Png = table.Column<byte[]>(type: "BLOB", nullable: false),
                    PngSha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SharedSelections", x => new { x.BoardId, x.WindowId });
                });

            migrationBuilder.CreateIndex(
                name: "IX_InkStrokes_BoardId_ErasedBy_Seq",
                table: "InkStrokes",
                columns: new[] { "BoardId", "ErasedBy", "Seq" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "InkBoards");

            migrationBuilder.DropTable(
                name: "InkStrokes");

            migrationBuilder.DropTable(
                name: "SharedSelections");
        }
    }
}
