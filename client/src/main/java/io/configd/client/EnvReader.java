package io.configd.client;

import io.configd.model.ConfigValue;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/** Reads of one watched environment other than the client's first. */
final class EnvReader extends ConfigReader {

  private final String env;
  private final LocalState state;
  private final Listeners listeners;

  EnvReader(String env, LocalState state, Listeners listeners) {
    this.env = env;
    this.state = state;
    this.listeners = listeners;
  }

  @Override
  public String env() {
    return env;
  }

  @Override
  public Optional<Object> find(String key) {
    return state.current(env, key).map(ConfigValue::value);
  }

  @Override
  public Set<String> keys() {
    return Set.copyOf(state.values(env).keySet());
  }

  @Override
  public ListenerHandle onChange(String prefixOrKey, Consumer<ConfigValue> listener) {
    return listeners.add(env, prefixOrKey, listener);
  }

  @Override
  public ListenerHandle onChanges(String prefixOrKey, Consumer<List<ConfigValue>> listener) {
    return listeners.addSets(env, prefixOrKey, listener);
  }
}
