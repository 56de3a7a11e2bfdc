package com.cartgateway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("slot tags")
class SlotTagsTest {
  @Test
  @DisplayName("the slot of a key is Redis Cluster's: CRC16 (XMODEM) of its hash tag, mod 16384")
  void slotOfAKey() {
    // The CRC16 check value of "123456789" is 0x31C3 (the cluster specification's reference).
    assertThat(SlotTags.slot("123456789")).isEqualTo(0x31C3 % SlotTags.SLOTS);
    assertThat(SlotTags.slot("{user1000}.following"))
        .isEqualTo(SlotTags.slot("{user1000}.followers"))
        .isEqualTo(SlotTags.slot("user1000"));
  }

  @Test
  @DisplayName("every slot has a tag that hashes to it, and a shard's epoch key lies in its slot")
  void everySlotHasATag() {
    for (int slot = 0; slot < SlotTags.SLOTS; slot++) {
      assertThat(SlotTags.slot(SlotTags.of(slot))).isEqualTo(slot);
      assertThat(SlotTags.slot(RedisKeys.epoch(slot))).isEqualTo(slot);
      assertThat(SlotTags.slot(RedisKeys.epoch(slot) + ":catalog-lease")).isEqualTo(slot);
    }
    assertThatThrownBy(() -> SlotTags.of(SlotTags.SLOTS))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
