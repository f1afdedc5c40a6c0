package dev.companionbrain.localstack;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One {@link LocalStack} per test JVM, shared by every test class that uses this extension and
 * closed when the JVM's test run ends. Inject {@link LocalStack} or {@link Endpoints} as parameters
 * (a class that implements {@link OnRedisCluster} gets the endpoints of the stack's Redis Cluster).
 */
public final class LocalStackExtension implements BeforeAllCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(LocalStackExtension.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    stack(context);
  }

  /** The shared stack, started on first use. */
  public static LocalStack stack(ExtensionContext context) {
    return context.getRoot().getStore(NAMESPACE)
        .getOrComputeIfAbsent(Holder.class, k -> new Holder(LocalStack.start()), Holder.class).stack;
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == LocalStack.class || type == Endpoints.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    LocalStack stack = stack(context);
    if (parameter.getParameter().getType() == LocalStack.class) {
      return stack;
    }
    return context.getTestClass().filter(OnRedisCluster.class::isAssignableFrom).isPresent()
        ? stack.endpointsOnRedisCluster() : stack.endpoints();
  }

  @SuppressWarnings("deprecation")
  private record Holder(LocalStack stack) implements ExtensionContext.Store.CloseableResource, AutoCloseable {
    @Override
    public void close() {
      stack.close();
    }
  }
}
