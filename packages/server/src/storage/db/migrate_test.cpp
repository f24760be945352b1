#include "storage/db/migrate.hpp"

#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "core/errors.hpp"
#include "storage/db/repositories.hpp"

using namespace stepwise::storage;

namespace {
std::string TempDb() {
  static int counter = 0;
  const auto dir = std::filesystem::temp_directory_path() /
                   ("stepwise-test-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return "sqlite:///" + (dir / "app.db").string();
}
}  // namespace

TEST(Migrate, SplitsStatementsAndDropsComments) {
  auto stmts = SplitSqlStatements("-- c\nCREATE TABLE a (x INT); -- trailing\n\nCREATE INDEX i ON a(x);\n");
  ASSERT_EQ(stmts.size(), 2u);
  EXPECT_EQ(stmts[0], "CREATE TABLE a (x INT)");
}

TEST(Migrate, AppliesOnceAndReportsCurrent) {
  Database db(DatabaseUrl::Parse(TempDb()), 2);
  EXPECT_FALSE(Migrate(db).empty());
  EXPECT_TRUE(Migrate(db).empty());  // idempotent
  auto status = GetMigrationStatus(db);
  EXPECT_TRUE(status.Current());
  EXPECT_GE(status.latest, 1);
}

TEST(Repositories, UsersAreScopedByCompanyAndEmailsUnique) {
  Database db(DatabaseUrl::Parse(TempDb()), 1);
  Migrate(db);
  db.Transaction([&](soci::session& sql) {
    CompanyRepository companies(sql, db.GetDialect());
    UserRepository users(sql, db.GetDialect());
    const auto a = companies.Insert("A", "tok-a", 1000);
    const auto b = companies.Insert("B", "tok-b", 1000);
    const auto u = users.Insert(a, "x@a.co", "hash", "X", "admin", 1000);
    EXPECT_TRUE(users.Find(a, u).has_value());
    EXPECT_FALSE(users.Find(b, u).has_value());  // another company's user is not found
    EXPECT_THROW(users.Insert(b, "x@a.co", "hash", "Y", "admin", 1000), stepwise::core::Error);
    EXPECT_EQ(users.CountAdmins(a), 1);
    EXPECT_EQ(users.FindByEmail("x@a.co")->created_at, 1000);
  });
}

TEST(DatabaseUrl, ParsesBothEngines) {
  EXPECT_EQ(DatabaseUrl::Parse("sqlite:///./app.db").sqlite_path, "./app.db");
  EXPECT_EQ(DatabaseUrl::Parse("sqlite:////var/x.db").sqlite_path, "/var/x.db");
  const auto pg = DatabaseUrl::Parse("postgresql://u:p%40ss@h:5433/db?sslmode=disable");
  EXPECT_EQ(pg.dialect, Dialect::kPostgres);
  EXPECT_NE(pg.connect_string.find("password='p@ss'"), std::string::npos);
  EXPECT_NE(pg.connect_string.find("port='5433'"), std::string::npos);
  EXPECT_THROW(DatabaseUrl::Parse("mysql://x"), std::invalid_argument);
}

// A foreign-key violation that escapes a repository (a row it refers to was removed meanwhile)
// is a 409 CONFLICT, from a transaction and from a single write alike; other errors pass as they are.
TEST(Database, ForeignKeyViolationIsAConflict) {
  Database db(DatabaseUrl::Parse(TempDb()), 1);
  db.Transaction([](soci::session& sql) {
    sql << "CREATE TABLE parents (id INTEGER PRIMARY KEY)";
    sql << "CREATE TABLE children (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES "
           "parents(id))";
  });
  const auto expect_conflict = [](const auto& run) {
    try {
      run();
      FAIL() << "the insert of an orphan was accepted";
    } catch (const stepwise::core::Error& e) {
      EXPECT_EQ(e.Code(), "CONFLICT");
      EXPECT_EQ(e.Kind(), stepwise::core::ErrorKind::kConflict);
    }
  };
  expect_conflict([&] {
    db.Transaction([](soci::session& sql) { sql << "INSERT INTO children (id, parent_id) VALUES (1, 42)"; });
  });
  expect_conflict([&] {
    db.Write([](soci::session& sql) { sql << "INSERT INTO children (id, parent_id) VALUES (2, 42)"; });
  });
  EXPECT_THROW(db.Transaction([](soci::session& sql) { sql << "INSERT INTO nowhere VALUES (1)"; }),
               soci::soci_error);
}
