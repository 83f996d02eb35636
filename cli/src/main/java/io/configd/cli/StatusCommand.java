package io.configd.cli;

import io.vertx.core.json.JsonObject;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

@Command(name = "status", description = {"The node's readiness and who the token is; exit 5 when the node is not "
    + "ready. With an admin token, the publisher's state too."})
final class StatusCommand implements Callable<Integer> {

  @ParentCommand
  Configdctl root;

  @Override
  public Integer call() {
    Api api = root.api();
    JsonObject ready = api.ready();
    JsonObject whoami = api.get("/v1/whoami").json();
    JsonObject status = new JsonObject().put("ready", ready).put("whoami", whoami);
    boolean admin = whoami.getJsonArray("grants").stream().map(JsonObject.class::cast)
        .anyMatch(grant -> grant.getString("env").equals("*") && grant.getString("prefix").isEmpty()
            && grant.getString("access").equals("admin"));
    if (admin) {
      status.put("publisher", api.get("/v1/stats/publisher").json());
    }
    boolean up = "UP".equals(ready.getString("status"));
    if (root.json()) {
      root.out().println(status.encode());
    } else {
      root.out().println("node: " + (up ? "ready" : "NOT READY") + " " + ready.getValue("checks", ""));
      root.out().println("token: " + whoami.getString("name") + ", environments " + whoami.getJsonArray("environments"));
      if (admin) {
        JsonObject publisher = status.getJsonObject("publisher");
        root.out().println("publisher: " + publisher.encode());
      }
    }
    return up ? ExitCode.OK : ExitCode.UNAVAILABLE;
  }
}
