"""Brute force and revocation: failed logins and token guesses counted per office account and per
client address (`auth_attempts`, shared by every server process), devices the office revoked
(`devices.revoked_at_ms`), the ops a revoked device still pushed, held for review (`held_ops`), and
when each office token was last used (`office_tokens.last_used_ms`).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


revision: str = '0006'
down_revision: Union[str, Sequence[str], None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'auth_attempts',
        sa.Column('subject', sa.Text(), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('last_failure_ms', sa.BigInteger(), nullable=False),
        sa.Column('locked_at_ms', sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint('subject'),
    )
    # plain ADD COLUMN: a batch copy of `devices` is not needed for nullable columns
    op.add_column('devices', sa.Column('revoked_at_ms', sa.BigInteger(), nullable=True))
    op.add_column('devices', sa.Column('revoked_by', sa.Text(), nullable=True))
    op.add_column('office_tokens', sa.Column('last_used_ms', sa.BigInteger(), nullable=True))
    op.create_table(
        'held_ops',
        sa.Column('device_id', sa.Text(), nullable=False),
        sa.Column('seq', sa.BigInteger(), nullable=False),
        sa.Column('op_id', sa.Text(), nullable=False),
        sa.Column('kind', sa.Text(), nullable=False),
        sa.Column('operator_id', sa.Text(), nullable=False),
        sa.Column('at_ms', sa.BigInteger(), nullable=False),
        sa.Column('payload', sa.Text(), nullable=False),
        sa.Column('received_at_ms', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('device_id', 'seq'),
    )


def downgrade() -> None:
    op.drop_table('held_ops')
    op.drop_column('office_tokens', 'last_used_ms')
    op.drop_column('devices', 'revoked_by')
    op.drop_column('devices', 'revoked_at_ms')
    op.drop_table('auth_attempts')
