package com.cartgateway.durability;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;

/**
 * What a journal of one kind of state needs to know: where its marks go, how to read the current
 * state and how to put it on the topic.
 *
 * @param <S> the state
 */
public interface JournalCodec<S> {
  /** The topic the states go to. */
  String topic();

  /** What the states are, in the plural, for the meters' descriptions ("Carts", "SKUs"). */
  String kind();

  /** The sorted set that holds the marks of changes of {@code id}. */
  String marksOf(String id);

  /** Every sorted set of marks, for the sweep. */
  List<String> markSets();

  /** The current state of {@code id} in Redis; empty when there is nothing to publish. */
  Future<Optional<S>> read(String id);

  /** The record key of a state. */
  String key(S state);

  /** The record value of a state. */
  JsonObject encode(S state);

  /** What follows in Redis once the states of a change are published (nothing by default). */
  default void published(List<String> ids) {}
}
