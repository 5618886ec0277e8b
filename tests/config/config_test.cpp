// Tests of the mosquitto.conf reader: defaults, line syntax, the wording of errors, files and
// include_dir, and Debian's default mosquitto.conf.
#include "config/config.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_util.h"

namespace tern::config {
namespace {

using test::parse_error;
using test::parse_ok;
using test::TempDir;
namespace fs = std::filesystem;

// --- Defaults

TEST(ConfigDefaults, EmptyTextGivesMosquittoDefaults) {
  Config c = parse_ok("");
  ASSERT_EQ(c.listeners.size(), 1u);
  const Listener& l = c.listeners[0];
  EXPECT_EQ(l.port, 1883);
  EXPECT_EQ(l.bind_address, "localhost");  // loopback only without any listener, like Mosquitto 2
  EXPECT_EQ(l.protocol, Protocol::mqtt);
  EXPECT_EQ(l.socket_domain, SocketDomain::any);
  EXPECT_EQ(l.max_connections, -1);
  EXPECT_EQ(l.max_topic_alias, 10);
  EXPECT_EQ(l.bind_interface, "");
  EXPECT_FALSE(l.tls.enabled());
  EXPECT_EQ(l.declared_at, "");
  EXPECT_TRUE(l.security.allow_anonymous);
  EXPECT_FALSE(c.per_listener_settings);
  EXPECT_TRUE(c.security.allow_anonymous);
  EXPECT_TRUE(c.security.allow_zero_length_clientid);
  EXPECT_EQ(c.security.password_file, "");
  EXPECT_EQ(c.security.acl_file, "");
  EXPECT_EQ(c.max_queued_messages, 1000u);
  EXPECT_EQ(c.max_queued_bytes, 0u);
  EXPECT_EQ(c.max_inflight_messages, 20);
  EXPECT_EQ(c.max_inflight_bytes, 0u);
  EXPECT_EQ(c.message_size_limit, 0u);
  EXPECT_EQ(c.max_packet_size, 0u);
  EXPECT_EQ(c.max_keepalive, 65535);
  EXPECT_EQ(c.persistent_client_expiration, 0u);
  EXPECT_TRUE(c.retain_available);
  EXPECT_FALSE(c.upgrade_outgoing_qos);
  EXPECT_FALSE(c.queue_qos0_messages);
  EXPECT_FALSE(c.check_retain_source);
  EXPECT_FALSE(c.set_tcp_nodelay);
  EXPECT_EQ(c.clientid_prefixes, "");
  EXPECT_EQ(c.sys_interval, 10u);
  EXPECT_EQ(c.log_dest, kLogDestStderr);
  EXPECT_EQ(c.log_file, "");
  EXPECT_EQ(c.log_type, kLogTypeError | kLogTypeWarning | kLogTypeNotice | kLogTypeInformation);
  EXPECT_TRUE(c.log_timestamp);
  EXPECT_EQ(c.log_timestamp_format, "");
  EXPECT_TRUE(c.connection_messages);
  EXPECT_FALSE(c.persistence);
  EXPECT_EQ(c.persistence_location, "");
  EXPECT_EQ(c.persistence_file, "mosquitto.db");
  EXPECT_EQ(c.autosave_interval, 1800u);
  EXPECT_EQ(c.pid_file, "");
  EXPECT_EQ(c.user, "");
  EXPECT_EQ(c.thread_count, 0u);
  EXPECT_EQ(c.shared_subscription_strategy, SharedSubscriptionStrategy::round_robin);
  EXPECT_EQ(c.data_dir, "./tern-data");
  EXPECT_EQ(c.files, std::vector<std::string>{"t.conf"});
  EXPECT_TRUE(c.warnings.empty());
}

TEST(ConfigDefaults, DefaultConfigIsTheParseOfNothing) {
  Config c = default_config();
  ASSERT_EQ(c.listeners.size(), 1u);
  EXPECT_EQ(c.listeners[0].port, 1883);
  EXPECT_EQ(c.listeners[0], parse_ok("").listeners[0]);
  EXPECT_EQ(c.files, std::vector<std::string>{"<defaults>"});
}
// --- Line syntax

TEST(ConfigSyntax, CommentsAndBlankLines) {
  Config c = parse_ok(
      "# a comment\n"
      "\n"
      "   \t \n"
      "   # an indented comment\n"
      "#listener 1\n"
      "sys_interval 5\n");
  EXPECT_EQ(c.sys_interval, 5u);
  EXPECT_EQ(c.listeners.size(), 1u);
  EXPECT_EQ(parse_error("# one\n\n# three\nnope\n"), "t.conf:4: unknown directive 'nope'");
}

TEST(ConfigSyntax, CrlfTabsAndTrailingBlanks) {
  Config c = parse_ok("listener 1883 \r\nmax_connections\t7\t \r\n\r\nlog_dest file /a b.log \r\n");
  EXPECT_EQ(c.listeners[0].port, 1883);
  EXPECT_EQ(c.listeners[0].max_connections, 7);
  EXPECT_EQ(c.log_file, "/a b.log");
  EXPECT_EQ(parse_error("sys_interval 1\r\nbogus\r\n"), "t.conf:2: unknown directive 'bogus'");
}

TEST(ConfigSyntax, LeadingBlanksNoFinalNewlineAndByteOrderMark) {
  EXPECT_EQ(parse_ok("   sys_interval 3").sys_interval, 3u);
  EXPECT_EQ(parse_ok("\xEF\xBB\xBFsys_interval 4\n").sys_interval, 4u);
}

TEST(ConfigSyntax, UnknownAndUnsupportedDirectives) {
  EXPECT_EQ(parse_error("sys_interval 10\nfoo bar\n"), "t.conf:2: unknown directive 'foo'");
  EXPECT_EQ(parse_error("Listener 1883\n"), "t.conf:1: unknown directive 'Listener'");
  EXPECT_EQ(parse_error("connection bridge-01\n"),
            "t.conf:1: 'connection' is a Mosquitto option that Tern does not support");
  EXPECT_EQ(parse_error("plugin /usr/lib/mosquitto_dynamic_security.so\n"),
            "t.conf:1: 'plugin' is a Mosquitto option that Tern does not support");
  EXPECT_EQ(parse_error("plugin_opt_config_file /x\n"),
            "t.conf:1: 'plugin_opt_config_file' is a Mosquitto option that Tern does not support");
}

TEST(ConfigSyntax, ObsoleteDirectivesWarn) {
  Config c = parse_ok("retry_interval 20\n");
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_EQ(c.warnings[0], "t.conf:1: 'retry_interval' is obsolete and ignored");
}

TEST(ConfigError, Formats) {
  EXPECT_EQ((ConfigError{"a.conf", 12, "unknown directive 'foo'"}).to_string(),
            "a.conf:12: unknown directive 'foo'");
  EXPECT_EQ((ConfigError{"a.conf", 0, "cannot read file: it is a directory"}).to_string(),
            "a.conf: cannot read file: it is a directory");
  ConfigResult r = parse_config("\n\nfoo\n", "mosquitto.conf");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), (ConfigError{"mosquitto.conf", 3, "unknown directive 'foo'"}));
}

// --- Files and include_dir

TEST(ConfigFiles, LoadsAFile) {
  TempDir dir;
  std::string path = dir.write("tern.conf", "listener 1884\nmax_keepalive 60\n");
  ConfigResult r = load_config_file(path);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->listeners[0].port, 1884);
  EXPECT_EQ(r->listeners[0].declared_at, path + ":1");
  EXPECT_EQ(r->max_keepalive, 60);
  EXPECT_EQ(r->files, std::vector<std::string>{path});
}

TEST(ConfigFiles, UnreadableFiles) {
  TempDir dir;
  std::string missing = dir.path("missing.conf");
  EXPECT_EQ(load_config_file(missing).error().to_string(),
            missing + ": cannot read file: No such file or directory");
  EXPECT_EQ(load_config_file(dir.path()).error().to_string(),
            dir.path() + ": cannot read file: it is a directory");
  std::string bad = dir.write("bad.conf", "listener 1883\nmax_connections many\n");
  EXPECT_EQ(load_config_file(bad).error().to_string(),
            bad + ":2: bad number 'many' for 'max_connections'");
}

TEST(ConfigFiles, IncludeDirReadsConfFilesInMosquittoOrder) {
  TempDir dir;
  dir.write("conf.d/b.conf", "user b\n");
  dir.write("conf.d/a.conf", "user a\nlistener 1001\n");
  dir.write("conf.d/B2.conf", "user B2\n");
  dir.write("conf.d/a.conf.disabled", "nonsense\n");
  dir.write("conf.d/README", "not a config file\n");
  dir.write("conf.d/.conf", "nonsense\n");
  std::string main = dir.write("main.conf", "user main\ninclude_dir " + dir.path("conf.d") + "\n");
  ConfigResult r = load_config_file(main);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  std::string d = dir.path("conf.d");
  // As Mosquitto's scmp_p: case folded first, but the first difference in case alone decides.
  EXPECT_EQ(r->files,
            (std::vector<std::string>{main, d + "/a.conf", d + "/B2.conf", d + "/b.conf"}));
  EXPECT_EQ(r->user, "b");  // read last
  ASSERT_EQ(r->listeners.size(), 1u);
  EXPECT_EQ(r->listeners[0].declared_at, d + "/a.conf:2");
}

TEST(ConfigFiles, IncludeDirOrderFoldsCase) {
  TempDir dir;
  for (std::string name : {"b.conf", "A.conf", "a.conf", "ab.conf", "10.conf", "9.conf"}) {
    dir.write("d/" + name, "sys_interval 1\n");
  }
  ConfigResult r = parse_config("include_dir " + dir.path("d") + "\n", "main.conf");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  std::string d = dir.path("d") + "/";
  EXPECT_EQ(r->files,
            (std::vector<std::string>{"main.conf", d + "10.conf", d + "9.conf", d + "A.conf",
                                      d + "a.conf", d + "ab.conf", d + "b.conf"}));
}

TEST(ConfigFiles, ErrorsInIncludedFilesNameThatFileAndLine) {
  TempDir dir;
  dir.write("conf.d/10-ok.conf", "listener 1883\n");
  std::string broken =
      dir.write("conf.d/20-broken.conf", "# comment\n\nmax_inflight_messages -3\n");
  dir.write("conf.d/30-never-read.conf", "nonsense\n");
  ConfigResult r = parse_config("include_dir " + dir.path("conf.d") + "\n", "main.conf");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().to_string(),
            broken + ":3: 'max_inflight_messages' must not be negative, got -3");
}

TEST(ConfigFiles, DuplicateAcrossFilesNamesTheSecondFile) {
  TempDir dir;
  std::string extra = dir.write("conf.d/extra.conf", "pid_file /other.pid\n");
  ConfigResult r =
      parse_config("pid_file /a.pid\ninclude_dir " + dir.path("conf.d") + "\n", "main.conf");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().to_string(), extra + ":1: duplicate 'pid_file' value");
}

TEST(ConfigFiles, UnreadableIncludeDirIsAnErrorAtItsLine) {
  TempDir dir;
  std::string missing = dir.path("nowhere");
  EXPECT_EQ(parse_error("sys_interval 1\ninclude_dir " + missing + "\n"),
            "t.conf:2: cannot read include_dir '" + missing + "': No such file or directory");
  EXPECT_EQ(parse_error("include_dir\n"), "t.conf:1: missing argument for 'include_dir'");
  std::string file = dir.write("plain", "x");
  EXPECT_EQ(parse_error("include_dir " + file + "\n"),
            "t.conf:1: cannot read include_dir '" + file + "': Not a directory");
}

TEST(ConfigFiles, IncludeDirInAnIncludedFileIsIgnoredWithAWarning) {
  TempDir dir;
  dir.write("inner/x.conf", "nonsense\n");
  std::string nested =
      dir.write("outer/nested.conf", "include_dir " + dir.path("inner") + "\nsys_interval 2\n");
  ConfigResult r = parse_config("include_dir " + dir.path("outer") + "\n", "main.conf");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->sys_interval, 2u);
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_EQ(r->warnings[0],
            nested + ":1: 'include_dir' in an included file is ignored (as Mosquitto does)");
}

TEST(ConfigFiles, EmptyIncludeDir) {
  TempDir dir;
  fs::create_directories(dir.path("empty"));
  ConfigResult r = parse_config("include_dir " + dir.path("empty") + "\n", "main.conf");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->files, std::vector<std::string>{"main.conf"});
}

// Debian 12's /etc/mosquitto/mosquitto.conf (mosquitto 2.0.11-1.2+deb12u2), word for word, with its
// include_dir pointed at a copy of /etc/mosquitto/conf.d (which holds only a README).
TEST(ConfigFiles, DebianDefaultMosquittoConf) {
  TempDir dir;
  dir.write("conf.d/README",
            "Any files placed in this directory that have a .conf ending will be loaded as\n"
            "config files by the broker. Use this to make your local config.\n");
  std::string text =
      "# Place your local configuration in /etc/mosquitto/conf.d/\n"
      "#\n"
      "# A full description of the configuration file is at\n"
      "# /usr/share/doc/mosquitto/examples/mosquitto.conf.example\n"
      "\n"
      "pid_file /run/mosquitto/mosquitto.pid\n"
      "\n"
      "persistence true\n"
      "persistence_location /var/lib/mosquitto/\n"
      "\n"
      "log_dest file /var/log/mosquitto/mosquitto.log\n"
      "\n"
      "include_dir " +
      dir.path("conf.d") + "\n";
  std::string path = dir.write("mosquitto.conf", text);
  ConfigResult r = load_config_file(path);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->pid_file, "/run/mosquitto/mosquitto.pid");
  EXPECT_TRUE(r->persistence);
  EXPECT_EQ(r->persistence_location, "/var/lib/mosquitto/");
  EXPECT_EQ(r->log_dest, kLogDestFile);
  EXPECT_EQ(r->log_file, "/var/log/mosquitto/mosquitto.log");
  ASSERT_EQ(r->listeners.size(), 1u);
  EXPECT_EQ(r->listeners[0].port, 1883);
  EXPECT_EQ(r->listeners[0].bind_address, "localhost");
  EXPECT_TRUE(r->security.allow_anonymous);
  EXPECT_TRUE(r->warnings.empty());
}

TEST(ConfigFiles, InstalledMosquittoConf) {
  const std::string path = "/etc/mosquitto/mosquitto.conf";
  if (!fs::exists(path)) GTEST_SKIP() << path << " is not installed";
  ConfigResult r = load_config_file(path);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->files.front(), path);
}

}  // namespace
}  // namespace tern::config
