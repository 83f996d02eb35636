package io.configd.cli;

import io.configd.model.ConfigValue;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Map;
import java.util.function.Function;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** configdctl: the configd API from a shell. Every command runs one or a few HTTP requests against one node. */
@Command(name = "configdctl", mixinStandardHelpOptions = true, version = "configdctl 0.1.0",
    description = "Reads and changes configd configuration from the command line.",
    footer = {"", "Environment: CONFIGD_URL (default http://127.0.0.1:8080), CONFIGD_TOKEN (the bearer token).", "",
        "Exit codes:", "  0  ok", "  1  usage, or a request the node refused as malformed (400, 413, 415) or against a schema (422)",
        "  2  not found (404, or 410: a revision the node does not hold)", "  3  conflict or precondition failed (409, 412)",
        "  4  unauthorized or forbidden (401, 403)", "  5  unavailable: unreachable, 429 or 5xx",
        "  6  held for approval (202): a pending change, nothing written yet", "",
        "Shell completion: source <(configdctl generate-completion)"},
    subcommands = {GetCommand.class, PutCommand.class, DeleteCommand.class, HistoryCommand.class, DiffCommand.class,
        RollbackCommand.class, WatchCommand.class, ExportCommand.class, ImportCommand.class, TokensCommand.class,
        StatusCommand.class, SchemasCommand.class, PoliciesCommand.class, PendingCommand.class, AutoComplete.GenerateCompletion.class})
public final class Configdctl {

  @Option(names = "--url", scope = ScopeType.INHERIT, paramLabel = "URL",
      description = "the node, e.g. http://127.0.0.1:8080 (default: $CONFIGD_URL, else http://127.0.0.1:8080)")
  String url;

  @Option(names = "--token", scope = ScopeType.INHERIT, paramLabel = "TOKEN",
      description = "bearer token (default: $CONFIGD_TOKEN)")
  String token;

  @Option(names = {"-o", "--output"}, scope = ScopeType.INHERIT, paramLabel = "FORMAT", defaultValue = "human",
      description = "human (default) or json, for scripts")
  Format output;

  enum Format { human, json }

  private final Map<String, String> environment;
  private final InputStream stdin;
  private PrintWriter out;
  private PrintWriter err;

  Configdctl(Map<String, String> environment, InputStream stdin) {
    this.environment = environment;
    this.stdin = stdin;
  }

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    System.exit(run(args, System.getenv(), System.in, out, err));
  }

  /** Runs one command line; returns its exit code. What the tests call, with their own environment and streams. */
  public static int run(String[] args, Map<String, String> environment, InputStream stdin, PrintWriter out,
                        PrintWriter err) {
    Configdctl root = new Configdctl(environment, stdin);
    root.out = out;
    root.err = err;
    CommandLine line = commandLine(root);
    line.setOut(out).setErr(err);
    int code = line.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  /** The command tree, with configdctl's exit codes (picocli's usage error is 2, ours is 1). */
  static CommandLine commandLine(Configdctl root) {
    CommandLine line = new CommandLine(root);
    line.getSubcommands().get("generate-completion").getCommandSpec().usageMessage().hidden(false);
    line.setCaseInsensitiveEnumValuesAllowed(true);
    line.setParameterExceptionHandler((e, args) -> {
      e.getCommandLine().getErr().println("configdctl: " + e.getMessage());
      e.getCommandLine().getErr().println("  see: configdctl " + e.getCommandLine().getCommandName() + " --help");
      return ExitCode.USAGE;
    });
    line.setExecutionExceptionHandler((e, commandLine, parsed) -> {
      if (e instanceof CliFailure failure) {
        commandLine.getErr().println("configdctl: " + failure.getMessage());
        return failure.exitCode();
      }
      commandLine.getErr().println("configdctl: " + e);
      return ExitCode.UNAVAILABLE;
    });
    return line;
  }

  Api api() {
    String node = url != null ? url : environment.getOrDefault("CONFIGD_URL", "http://127.0.0.1:8080");
    String bearer = token != null ? token : environment.get("CONFIGD_TOKEN");
    return new Api(node, bearer);
  }

  boolean json() {
    return output == Format.json;
  }

  /**
   * What a command prints once the node has answered: the answer itself with -o json, else what {@code human}
   * prints; returns the exit code of a command that succeeded.
   */
  int print(JsonObject answer, Runnable human) {
    if (json()) {
      out.println(answer.encode());
    } else {
      human.run();
    }
    return ExitCode.OK;
  }

  /** What put, delete and rollback print: the version written, for a human "{what}: version V, revision R". */
  int printWritten(Api.Answer answer, Function<ConfigValue, String> what) {
    ConfigValue written = ConfigValue.fromJson(answer.json());
    return print(answer.json(), () -> out.println(what.apply(written) + ": version " + written.version()
        + ", revision " + written.revision()));
  }

  PrintWriter out() {
    return out;
  }

  PrintWriter err() {
    return err;
  }

  InputStream stdin() {
    return stdin;
  }
}
