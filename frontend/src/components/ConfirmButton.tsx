// A button that asks before doing something that cannot be undone.
import { useState, type ReactNode } from "react";
import { Button, Group, Modal, Text, type ButtonProps } from "@mantine/core";

interface Props extends Omit<ButtonProps, "onClick"> {
  title: string;
  body: ReactNode;
  confirmLabel: string;
  testId: string;
  onConfirm: () => Promise<void> | void;
  children: ReactNode;
}

export function ConfirmButton({ title, body, confirmLabel, testId, onConfirm, children, ...button }: Props) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  return (
    <>
      <Button {...button} onClick={() => setOpen(true)} data-testid={testId}>
        {children}
      </Button>
      <Modal opened={open} onClose={() => !busy && setOpen(false)} title={title} centered data-testid={`${testId}-dialog`}>
        <Text size="sm">{body}</Text>
        <Group justify="flex-end" mt="lg">
          <Button variant="default" onClick={() => setOpen(false)} disabled={busy} data-testid={`${testId}-cancel`}>
            Cancel
          </Button>
          <Button
            color={button.color ?? "red"}
            loading={busy}
            data-testid={`${testId}-confirm`}
            onClick={async () => {
              setBusy(true);
              try {
                await onConfirm();
              } finally {
                setBusy(false);
                setOpen(false);
              }
            }}
          >
            {confirmLabel}
          </Button>
        </Group>
      </Modal>
    </>
  );
}
