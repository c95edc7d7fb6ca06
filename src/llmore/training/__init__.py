"""Fine-tuning: recipes (sft, pretrain, dpo, grpo) x methods (full, lora, qlora), the defaults advisor, launchers."""
